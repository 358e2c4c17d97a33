/// The untyped syntax tree of a feature expression, as parsed.
public indirect enum Expr: Sendable, Hashable {
    case literal(Value, offset: Int)
    case column(String, offset: Int)
    case unary(UnaryOperator, Expr, offset: Int)
    case binary(BinaryOperator, Expr, Expr, offset: Int)
    case isNull(Expr, isNegated: Bool, offset: Int)
    case call(String, [Expr], offset: Int)
    case caseWhen([WhenClause], otherwise: Expr?, offset: Int)
    case cast(Expr, ValueType, offset: Int)

    /// 0-based character offset of the node in the expression text, for error columns.
    public var offset: Int {
        switch self {
        case .literal(_, let o), .column(_, let o), .unary(_, _, let o), .binary(_, _, _, let o),
             .isNull(_, _, let o), .call(_, _, let o), .caseWhen(_, _, let o), .cast(_, _, let o):
            return o
        }
    }

    /// Column names the expression reads, in first-use order.
    public var columnReferences: [String] {
        var seen: [String] = []
        collectColumns(into: &seen)
        return seen
    }

    private func collectColumns(into seen: inout [String]) {
        switch self {
        case .literal: break
        case .column(let name, _): if !seen.contains(name) { seen.append(name) }
        case .unary(_, let e, _), .isNull(let e, _, _), .cast(let e, _, _): e.collectColumns(into: &seen)
        case .binary(_, let l, let r, _): l.collectColumns(into: &seen); r.collectColumns(into: &seen)
        case .call(_, let args, _): for a in args { a.collectColumns(into: &seen) }
        case .caseWhen(let clauses, let otherwise, _):
            for c in clauses { c.condition.collectColumns(into: &seen); c.result.collectColumns(into: &seen) }
            otherwise?.collectColumns(into: &seen)
        }
    }
}

/// One `WHEN condition THEN result` arm.
public struct WhenClause: Sendable, Hashable {
    public var condition: Expr
    public var result: Expr
}

public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not = "not"
}

public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case concat = "||"
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case and = "and", or = "or"

    var isArithmetic: Bool { [.add, .subtract, .multiply, .divide, .remainder].contains(self) }
    var isComparison: Bool { [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(self) }
    var isLogical: Bool { self == .and || self == .or }
}
