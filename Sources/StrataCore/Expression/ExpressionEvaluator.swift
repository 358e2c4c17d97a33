/// The Swift back-end: evaluates a `TypedExpr` over one row of values.
///
/// It follows SQLite's semantics exactly where the SQL back-end runs natively (three-valued logic,
/// nulls propagate, division by zero and NaN give null, byte-wise string order, ASCII-only `lower`/`upper`)
/// and defines integer overflow as null, which the SQL back-end enforces with `strata_int`.
public enum ExpressionEvaluator {
    /// Evaluates `expr` with column `i` read from `row[i]`.
    ///
    /// `ExpressionEvaluator.evaluate(typed, row: [.int(3)])` → `.int(6)` for `trips * 2`.
    public static func evaluate(_ expr: TypedExpr, row: [Value]) -> Value {
        switch expr {
        case .literal(let value, _):
            return value
        case .column(let index, _, _):
            return row[index]
        case .negate(let inner, _):
            switch evaluate(inner, row: row) {
            case .int(let v): return v == Int64.min ? .null : .int(-v)
            case .float(let v): return .float(-v)
            default: return .null
            }
        case .arithmetic(let op, let lhs, let rhs, _):
            return ScalarOperations.arithmetic(op, evaluate(lhs, row: row), evaluate(rhs, row: row))
        case .concat(let lhs, let rhs):
            guard case .string(let a) = evaluate(lhs, row: row), case .string(let b) = evaluate(rhs, row: row) else { return .null }
            return .string(a + b)
        case .compare(let op, let lhs, let rhs):
            guard let order = ScalarOperations.compare(evaluate(lhs, row: row), evaluate(rhs, row: row)) else { return .null }
            return .bool(ScalarOperations.holds(op, order))
        case .logical(let op, let lhs, let rhs):
            // Both sides are evaluated, as SQLite may; evaluation has no side effects, so only the three-valued result matters.
            return logical(op, truth(evaluate(lhs, row: row)), truth(evaluate(rhs, row: row)))
        case .not(let inner):
            return truth(evaluate(inner, row: row)).map { .bool(!$0) } ?? .null
        case .isNull(let inner, let negated):
            return .bool(evaluate(inner, row: row).isNull != negated)
        case .caseWhen(let clauses, let otherwise, _):
            for clause in clauses where truth(evaluate(clause.condition, row: row)) == true {
                return evaluate(clause.result, row: row)
            }
            return otherwise.map { evaluate($0, row: row) } ?? .null
        case .function(let function, let args, _):
            return call(function, args, row)
        case .cast(let inner, let target):
            return ScalarOperations.cast(evaluate(inner, row: row), from: inner.type, to: target)
        }
    }

    static func truth(_ value: Value) -> Bool? {
        switch value {
        case .bool(let b): return b
        case .int(let v): return v != 0
        case .float(let v): return v != 0
        default: return nil
        }
    }

    static func logical(_ op: BinaryOperator, _ lhs: Bool?, _ right: Bool?) -> Value {
        if op == .and {
            if lhs == false || right == false { return .bool(false) }
            if lhs == true, right == true { return .bool(true) }
            return .null
        }
        if lhs == true || right == true { return .bool(true) }
        if lhs == false, right == false { return .bool(false) }
        return .null
    }

    static func call(_ function: BuiltinFunction, _ args: [TypedExpr], _ row: [Value]) -> Value {
        switch function {
        case .coalesce:
            for arg in args {
                let value = evaluate(arg, row: row)
                if !value.isNull { return value }
            }
            return .null
        case .nullif:
            let a = evaluate(args[0], row: row), b = evaluate(args[1], row: row)
            return ScalarOperations.compare(a, b) == 0 ? .null : a
        case .if:
            return truth(evaluate(args[0], row: row)) == true ? evaluate(args[1], row: row) : evaluate(args[2], row: row)
        case .least, .greatest:
            let values = args.map { evaluate($0, row: row) }
            var best = values[0]
            for value in values {
                guard let order = ScalarOperations.compare(value, best) else { return .null }
                if function == .least ? order < 0 : order > 0 { best = value }
            }
            return best
        default:
            return ScalarOperations.unaryFunction(function, args.map { evaluate($0, row: row) })
        }
    }
}
