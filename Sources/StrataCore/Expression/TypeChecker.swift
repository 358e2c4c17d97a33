/// Checks an `Expr` against the columns it may read and produces a `TypedExpr`.
///
/// `TypeChecker(columns: [("trips", .int64)]).check(expr)` → `.int64` arithmetic, or an error naming the operand.
public struct TypeChecker: Sendable {
    public var columns: [(name: String, type: ValueType)]

    public init(columns: [(name: String, type: ValueType)]) {
        self.columns = columns
    }

    /// Checks `expr` and, when `expected` is given, that its type matches (int64 widens to float64).
    public func check(_ expr: Expr, expected: ValueType? = nil) -> Result<TypedExpr, ExpressionError> {
        do throws(ExpressionError) {
            var typed = try infer(expr)
            if let expected {
                if typed.isNullLiteral {
                    typed = .literal(.null, expected)
                } else if typed.type != expected {
                    if typed.type == .int64, expected == .float64 {
                        typed = .cast(typed, to: .float64)
                    } else {
                        throw ExpressionError("expression has type \(typed.type) but the feature is declared \(expected)", offset: expr.offset,
                                              fix: "declare the feature as \(typed.type), or convert with `cast(… as \(expected))`")
                    }
                }
            }
            return .success(typed)
        } catch {
            return .failure(error)
        }
    }

    func infer(_ expr: Expr) throws(ExpressionError) -> TypedExpr {
        switch expr {
        case .literal(let value, _):
            switch value {
            case .null: return .literal(.null, .int64)
            case .int: return .literal(value, .int64)
            case .float: return .literal(value, .float64)
            case .string: return .literal(value, .string)
            case .bool: return .literal(value, .bool)
            }
        case .column(let name, let offset):
            guard let index = columns.firstIndex(where: { $0.name == name }) else {
                let hint = didYouMean(name, in: columns.map(\.name)) ?? "available columns: \(columns.map(\.name).joined(separator: ", "))"
                throw ExpressionError("unknown column `\(name)`", offset: offset, fix: hint)
            }
            return .column(index: index, name: name, columns[index].type)
        case .unary(.negate, let inner, let offset):
            let typed = try infer(inner)
            guard typed.type.isNumeric || typed.isNullLiteral else {
                throw ExpressionError("`-` needs a number, got \(typed.type)", offset: offset)
            }
            return .negate(typed, typed.type)
        case .unary(.not, let inner, let offset):
            return .not(try expect(.bool, try infer(inner), "`not`", offset))
        case .binary(let op, let lhs, let rhs, let offset):
            return try inferBinary(op, try infer(lhs), try infer(rhs), offset)
        case .isNull(let inner, let negated, _):
            return .isNull(try infer(inner), isNegated: negated)
        case .call(let name, let args, let offset):
            return try inferCall(name, try args.map { (a: Expr) throws(ExpressionError) in try infer(a) }, offset)
        case .caseWhen(let clauses, let otherwise, let offset):
            var whens: [TypedWhen] = []
            for clause in clauses {
                let condition = try expect(.bool, try infer(clause.condition), "a `when` condition", clause.condition.offset)
                whens.append(TypedWhen(condition: condition, result: try infer(clause.result)))
            }
            let typedElse = try otherwise.map { (e: Expr) throws(ExpressionError) in try infer(e) }
            let type = try unify(whens.map(\.result) + (typedElse.map { [$0] } ?? []), "the branches of `case`", offset)
            return .caseWhen(whens.map { TypedWhen(condition: $0.condition, result: retype($0.result, type)) },
                             otherwise: typedElse.map { retype($0, type) }, type)
        case .cast(let inner, let target, let offset):
            let typed = try infer(inner)
            // A cast null is a typed null: it must not adapt to its context like a bare `null`.
            if typed.isNullLiteral { return .cast(.literal(.null, .int64), to: target) }
            guard Self.canCast(typed.type, to: target) else {
                throw ExpressionError("cannot cast \(typed.type) to \(target)", offset: offset, fix: Self.castFix(typed.type, target))
            }
            return typed.type == target ? typed : .cast(typed, to: target)
        }
    }

    func inferBinary(_ op: BinaryOperator, _ lhs: TypedExpr, _ rhs: TypedExpr, _ offset: Int) throws(ExpressionError) -> TypedExpr {
        if op.isLogical {
            return .logical(op, try expect(.bool, lhs, "`\(op.rawValue)`", offset), try expect(.bool, rhs, "`\(op.rawValue)`", offset))
        }
        if op == .concat {
            return .concat(try expect(.string, lhs, "`||`", offset), try expect(.string, rhs, "`||`", offset))
        }
        if op.isArithmetic {
            for side in [lhs, rhs] where !(side.type.isNumeric || side.isNullLiteral) {
                throw ExpressionError("`\(op.rawValue)` needs numbers, got \(side.type)", offset: offset,
                                      fix: side.type == .timestamp ? "use hour(…) or day_of_week(…), or cast(… as int64) for microseconds" : nil)
            }
            var type = try unify([lhs, rhs], "the operands of `\(op.rawValue)`", offset)
            if op == .remainder, type != .int64 {
                throw ExpressionError("`%` needs int64 operands, got \(type)", offset: offset, fix: "cast the operands with `cast(… as int64)`")
            }
            if lhs.isNullLiteral, rhs.isNullLiteral { type = .int64 }
            return .arithmetic(op, retype(lhs, type), retype(rhs, type), type)
        }
        let type = try unify([lhs, rhs], "the operands of `\(op.rawValue)`", offset)
        return .compare(op, retype(lhs, type), retype(rhs, type))
    }

    func inferCall(_ name: String, _ args: [TypedExpr], _ offset: Int) throws(ExpressionError) -> TypedExpr {
        guard let function = BuiltinFunction(rawValue: name) else {
            let names = BuiltinFunction.allCases.map(\.rawValue)
            throw ExpressionError("unknown function `\(name)`", offset: offset, fix: didYouMean(name, in: names) ?? "functions: \(names.joined(separator: ", "))")
        }
        func arity(_ range: ClosedRange<Int>) throws(ExpressionError) {
            guard range.contains(args.count) else {
                let want = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound) or \(range.upperBound)"
                throw ExpressionError("`\(name)` takes \(want) argument\(want == "1" ? "" : "s"), got \(args.count)", offset: offset)
            }
        }
        switch function {
        case .coalesce, .least, .greatest:
            try arity(2...Int.max)
            let type = try unify(args, "the arguments of `\(name)`", offset)
            if function != .coalesce, type == .bool {
                throw ExpressionError("`\(name)` needs numbers, strings or timestamps, got bool", offset: offset)
            }
            return .function(function, args.map { retype($0, type) }, type)
        case .nullif:
            try arity(2...2)
            let type = try unify(args, "the arguments of `nullif`", offset)
            return .function(function, args.map { retype($0, type) }, type)
        case .if:
            try arity(3...3)
            let condition = try expect(.bool, args[0], "the condition of `if`", offset)
            let type = try unify([args[1], args[2]], "the branches of `if`", offset)
            return .function(function, [condition, retype(args[1], type), retype(args[2], type)], type)
        case .abs:
            try arity(1...1)
            let arg = try numeric(args[0], name, offset)
            return .function(function, [arg], arg.type)
        case .round:
            try arity(1...2)
            var typed = [try numeric(args[0], name, offset)]
            if args.count == 2 {
                guard case .literal(.int(let digits), _) = args[1], (0...15).contains(digits) else {
                    throw ExpressionError("the digits of `round` must be an integer literal from 0 to 15", offset: offset)
                }
                typed.append(args[1])
            }
            return .function(function, typed, .float64)
        case .ln, .exp, .sqrt:
            try arity(1...1)
            return .function(function, [try numeric(args[0], name, offset)], .float64)
        case .lower, .upper:
            try arity(1...1)
            return .function(function, [try expect(.string, args[0], "`\(name)`", offset)], .string)
        case .length:
            try arity(1...1)
            return .function(function, [try expect(.string, args[0], "`length`", offset)], .int64)
        case .hour, .dayOfWeek:
            try arity(1...1)
            return .function(function, [try expect(.timestamp, args[0], "`\(name)`", offset)], .int64)
        }
    }

    private func numeric(_ arg: TypedExpr, _ name: String, _ offset: Int) throws(ExpressionError) -> TypedExpr {
        if arg.isNullLiteral { return .literal(.null, .float64) }
        guard arg.type.isNumeric else { throw ExpressionError("`\(name)` needs a number, got \(arg.type)", offset: offset) }
        return arg
    }

    private func expect(_ type: ValueType, _ arg: TypedExpr, _ what: String, _ offset: Int) throws(ExpressionError) -> TypedExpr {
        if arg.isNullLiteral { return .literal(.null, type) }
        guard arg.type == type else { throw ExpressionError("\(what) needs \(type), got \(arg.type)", offset: offset) }
        return arg
    }

    /// The common type of several operands: equal types, int64 with float64 → float64; null literals adapt.
    private func unify(_ args: [TypedExpr], _ what: String, _ offset: Int) throws(ExpressionError) -> ValueType {
        var result: ValueType?
        for arg in args where !arg.isNullLiteral {
            guard let current = result else { result = arg.type; continue }
            if current == arg.type { continue }
            if current.isNumeric, arg.type.isNumeric { result = .float64; continue }
            throw ExpressionError("\(what) have different types: \(current) and \(arg.type)", offset: offset, fix: "convert one side with `cast(… as \(current))`")
        }
        return result ?? .int64
    }

    private func retype(_ arg: TypedExpr, _ type: ValueType) -> TypedExpr {
        if arg.isNullLiteral { return .literal(.null, type) }
        if arg.type == .int64, type == .float64 { return .cast(arg, to: .float64) }
        return arg
    }

    static func canCast(_ from: ValueType, to: ValueType) -> Bool {
        if from == to { return true }
        switch (from, to) {
        case (.int64, .float64), (.float64, .int64), (.string, .int64), (.string, .float64), (.bool, .int64), (.bool, .float64),
             (.timestamp, .int64), (.int64, .string), (.bool, .string), (.int64, .bool), (.int64, .timestamp):
            return true
        default:
            return false
        }
    }

    static func castFix(_ from: ValueType, _ to: ValueType) -> String {
        switch (from, to) {
        case (.float64, .string): return "round it and cast to int64 first: `cast(cast(round(x) as int64) as string)`"
        case (.timestamp, .string): return "use hour(…) or day_of_week(…), or cast(… as int64) for microseconds"
        default: return "allowed casts: int64↔float64, string→int64/float64, bool→int64/float64/string, int64→string/bool/timestamp, timestamp→int64"
        }
    }
}
