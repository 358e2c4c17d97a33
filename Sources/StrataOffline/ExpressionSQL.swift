import GRDB
public import StrataCore

/// Lowers a `TypedExpr` to SQLite SQL with bound literals. The result has the same value as
/// `ExpressionEvaluator.evaluate` on every row (checked by a property test); bools come back as 0/1.
///
/// `ExpressionSQL.lower(conv_rate * 2)` → `(("conv_rate") * (?))` with argument `2.0`.
public enum ExpressionSQL {
    /// Lowers `expr`; `column` renders a column reference (e.g. with a table alias).
    public static func lower(_ expr: TypedExpr, column: (String) -> String = { quoted($0) }) -> SQLFragment {
        withoutActuallyEscaping(column) { column in
            var renderer = Renderer(column: column)
            let text = renderer.render(expr)
            return SQLFragment(text, renderer.arguments)
        }
    }
}

/// Renders one expression, collecting bound arguments in order.
private struct Renderer {
    let column: (String) -> String
    var arguments: [DatabaseValue] = []

    mutating func r(_ e: TypedExpr) -> String { "(" + render(e) + ")" }

    /// The non-finite rule in SQL: ±infinity becomes null (SQLite already turns NaN into null). `9e999` is how SQLite
    /// writes infinity; `nullif` evaluates its argument once.
    static func finite(_ sql: String) -> String { "nullif(nullif(\(sql), 9e999), -9e999)" }

    mutating func render(_ expr: TypedExpr) -> String {
        switch expr {
        case .literal(let value, _):
            return bind(value)
        case .column(_, let name, _):
            return column(name)
        case .negate(let inner, let type):
            return type == .int64 ? "strata_int(-\(r(inner)))" : "(-\(r(inner)))"
        case .arithmetic(let op, let lhs, let rhs, let type):
            let body = "\(r(lhs)) \(op.rawValue) \(r(rhs))"
            // SQLite turns int64 overflow into a REAL; strata_int maps that to null, the evaluator's rule.
            if type == .int64 { return op != .remainder ? "strata_int(\(body))" : "(\(body))" }
            return type == .float64 ? Self.finite(body) : "(\(body))"
        case .concat(let lhs, let rhs):
            return "(\(r(lhs)) || \(r(rhs)))"
        case .compare(let op, let lhs, let rhs):
            return "(\(r(lhs)) \(op == .notEqual ? "<>" : op.rawValue) \(r(rhs)))"
        case .logical(let op, let lhs, let rhs):
            return "(\(r(lhs)) \(op == .and ? "AND" : "OR") \(r(rhs)))"
        case .not(let inner):
            return "(NOT \(r(inner)))"
        case .isNull(let inner, let negated):
            return "(\(r(inner)) IS \(negated ? "NOT " : "")NULL)"
        case .caseWhen(let clauses, let otherwise, _):
            var text = "CASE"
            for clause in clauses { text += " WHEN \(r(clause.condition)) THEN \(r(clause.result))" }
            if let otherwise { text += " ELSE \(r(otherwise))" }
            return text + " END"
        case .function(let function, let fargs, let type):
            return renderFunction(function, fargs, type)
        case .cast(let inner, let target):
            return renderCast(inner, target)
        }
    }

    mutating func renderFunction(_ function: BuiltinFunction, _ fargs: [TypedExpr], _ type: ValueType) -> String {
        var parts: [String] = []
        for arg in fargs { parts.append(r(arg)) }
        let list = parts.joined(separator: ", ")
        switch function {
        case .exp:
            return Self.finite("exp(\(list))")
        case .coalesce, .nullif, .ln, .sqrt, .lower, .upper, .length:
            return "\(function.rawValue)(\(list))"
        case .least: return "min(\(list))"
        case .greatest: return "max(\(list))"
        case .if: return "CASE WHEN \(parts[0]) THEN \(parts[1]) ELSE \(parts[2]) END"
        case .abs:
            // SQLite's abs() raises an error on the smallest int64; the language defines it as null.
            return type == .int64 ? "strata_int(abs(nullif(\(parts[0]), -9223372036854775807 - 1)))" : "abs(\(list))"
        case .round:
            return "strata_round(\(parts[0]), \(parts.count > 1 ? parts[1] : "0"))"
        case .hour:
            return "(((\(parts[0]) % 86400000000) + 86400000000) % 86400000000 / 3600000000)"
        case .dayOfWeek:
            // Shifting by 800002 days (a multiple of 7) keeps every accepted timestamp non-negative,
            // so SQLite's truncating division equals floor division.
            return "((((\(parts[0]) + 69120172800000000) / 86400000000 + 3) % 7) + 1)"
        }
    }

    mutating func renderCast(_ inner: TypedExpr, _ target: ValueType) -> String {
        switch (inner.type, target) {
        case (.int64, .float64), (.bool, .float64): return "CAST(\(r(inner)) AS REAL)"
        case (.float64, .int64): return "CAST(\(r(inner)) AS INTEGER)"
        case (.string, .int64): return "strata_parse_int(\(r(inner)))"
        case (.string, .float64): return "strata_parse_float(\(r(inner)))"
        case (.int64, .string): return "CAST(\(r(inner)) AS TEXT)"
        case (.bool, .string): return "CASE \(r(inner)) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
        case (.int64, .bool): return "(\(r(inner)) <> 0)"
        case (.int64, .timestamp): return "strata_timestamp(\(r(inner)))"
        default: return r(inner)
        }
    }

    mutating func bind(_ value: Value) -> String {
        switch value {
        case .null: return "NULL"
        case .int(let v): arguments.append(v.databaseValue)
        case .float(let v): arguments.append(v.databaseValue)
        case .string(let v): arguments.append(v.databaseValue)
        case .bool(let v): arguments.append((v ? 1 : 0).databaseValue)
        }
        return "?"
    }
}
