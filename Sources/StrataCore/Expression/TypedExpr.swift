/// The type-checked form of an expression: every node knows its type and columns are bound to indexes.
/// Both back-ends (SQL lowering and `ExpressionEvaluator`) read only this form.
public indirect enum TypedExpr: Sendable, Hashable {
    case literal(Value, ValueType)
    case column(index: Int, name: String, ValueType)
    case negate(TypedExpr, ValueType)
    case arithmetic(BinaryOperator, TypedExpr, TypedExpr, ValueType)
    case concat(TypedExpr, TypedExpr)
    case compare(BinaryOperator, TypedExpr, TypedExpr)
    case logical(BinaryOperator, TypedExpr, TypedExpr)
    case not(TypedExpr)
    case isNull(TypedExpr, isNegated: Bool)
    case caseWhen([TypedWhen], otherwise: TypedExpr?, ValueType)
    case function(BuiltinFunction, [TypedExpr], ValueType)
    case cast(TypedExpr, to: ValueType)

    public var type: ValueType {
        switch self {
        case .literal(_, let t), .column(_, _, let t), .negate(_, let t), .arithmetic(_, _, _, let t),
             .caseWhen(_, _, let t), .function(_, _, let t):
            return t
        case .concat: return .string
        case .compare, .logical, .not, .isNull: return .bool
        case .cast(_, let t): return t
        }
    }

    var isNullLiteral: Bool {
        if case .literal(.null, _) = self { return true }
        return false
    }
}

/// A checked `WHEN condition THEN result` arm.
public struct TypedWhen: Sendable, Hashable {
    public var condition: TypedExpr
    public var result: TypedExpr
}

/// The functions of the expression language.
public enum BuiltinFunction: String, Sendable, Hashable, CaseIterable {
    case coalesce, nullif, `if`, abs, round, ln, exp, sqrt, least, greatest, lower, upper, length, hour
    case dayOfWeek = "day_of_week"
}
