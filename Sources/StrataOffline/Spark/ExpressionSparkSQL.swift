public import StrataCore

/// Lowers a `TypedExpr` to Spark SQL with named parameters (`:p0`, `:p1`, …) for every literal, so no user text is
/// ever spliced into a query. The result has the same value as `ExpressionEvaluator.evaluate` on every row, bit for bit
/// (checked by a property test against a real Spark session). It assumes the session runs with
/// `spark.sql.ansi.enabled=false` (the driver forces it), but does not rely on it where an ANSI difference would change
/// an answer: overflow, division by zero and the non-finite rule are spelled out.
///
/// `ExpressionSparkSQL.lower(conv_rate * 2)` → `IF(abs(((`conv_rate`) * (CAST(:p0 AS DOUBLE)))) <= 1.7976931348623157E308D, …, NULL)`.
public struct ExpressionSparkSQL: Sendable {
    /// The literals of every expression lowered so far, in parameter order (`:p0` is `arguments[0]`).
    public private(set) var arguments: [Value] = []
    let column: @Sendable (String) -> String
    let prefix: String
    /// Subexpressions an operator reads more than once, computed once each in a projection of their own (see
    /// `layers`). Inlining them doubled the SQL per nesting level: `round(round(x, 1), 1)` was 8² copies of `x`.
    public private(set) var shared: [(name: String, sql: String, level: Int)] = []

    /// `column` renders a column reference; identifiers are validated definitions names, quoted with backticks.
    /// `prefix` names the parameters (`:p0`), so that several renderers can share one query.
    public init(prefix: String = "p", column: @escaping @Sendable (String) -> String = { ExpressionSparkSQL.quoted($0) }) {
        self.prefix = prefix
        self.column = column
    }

    /// The parameters by name, for the driver.
    public var namedArguments: [(name: String, value: Value)] {
        arguments.enumerated().map { ("\(prefix)\($0.offset)", $0.element) }
    }

    /// Backtick-quotes an identifier (a validated name: `[A-Za-z_][A-Za-z0-9_]*`; a backtick is doubled regardless).
    public static func quoted(_ name: String) -> String { "`" + name.replacingOccurrences(of: "`", with: "``") + "`" }

    /// Spark's type for a value type: timestamps are int64 microseconds, as everywhere in Strata.
    public static func sparkType(_ type: ValueType) -> String {
        switch type {
        case .int64, .timestamp: return "BIGINT"
        case .float64: return "DOUBLE"
        case .string: return "STRING"
        case .bool: return "BOOLEAN"
        }
    }

    /// Lowers one expression, cast to its declared type (Spark's `length` is an INT, for one).
    public mutating func lower(_ expr: TypedExpr) -> String {
        "CAST(\(render(expr)) AS \(Self.sparkType(expr.type)))"
    }

    static let int64Min = "(-9223372036854775807L - 1L)"
    static let microsPerDay = "86400000000L"

    mutating func r(_ e: TypedExpr) -> String { "(" + render(e) + ")" }

    /// The shared subexpressions grouped into projection layers: a layer's expressions read only columns of the
    /// source and of earlier layers. `SparkJoinView` wraps the source in one `SELECT *, … AS name` per layer.
    public var layers: [[(name: String, sql: String)]] {
        guard let top = shared.map(\.level).max() else { return [] }
        return (1...top).map { level in shared.filter { $0.level == level }.map { ($0.name, $0.sql) } }
    }

    /// Wraps `from` (a table name) in the layers of shared subexpressions: the relation to select features from.
    public func relation(over from: String) -> String { Self.relation(over: from, layers: layers) }

    /// Wraps `from` in projection layers (several renderers' layers may be merged level by level: names are unique).
    public static func relation(over from: String, layers: [[(name: String, sql: String)]]) -> String {
        var relation = from
        for (index, layer) in layers.enumerated() where !layer.isEmpty {
            let columns = layer.map { "\($0.sql) AS \($0.name)" }.joined(separator: ", ")
            relation = "(SELECT *, \(columns) FROM \(relation)) AS strata_layer_\(index)"
        }
        return relation
    }

    /// `sql` as something cheap to repeat: itself when it is a column, a parameter or an earlier shared value, else
    /// a new shared value computed once.
    mutating func once(_ sql: String) -> String {
        let trimmed = Self.withoutOuterParentheses(sql)
        if Self.isSimple(trimmed) { return trimmed }
        let name = "`__\(prefix)s\(shared.count)`"
        let level = 1 + (shared.filter { sql.contains($0.name) }.map(\.level).max() ?? 0)
        shared.append((name, sql, level))
        return name
    }

    /// `(x)` → `x` when the first parenthesis closes at the end (not for `(a) + (b)`).
    static func withoutOuterParentheses(_ sql: String) -> String {
        var text = Substring(sql)
        while text.hasPrefix("("), text.hasSuffix(")") {
            var depth = 0
            for (offset, character) in text.enumerated() {
                if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
                if depth == 0 {
                    guard offset == text.count - 1 else { return String(text) }
                    break
                }
            }
            text = text.dropFirst().dropLast()
        }
        return String(text)
    }

    static func isSimple(_ sql: String) -> Bool {
        if sql.hasPrefix("`"), sql.hasSuffix("`"), !sql.dropFirst().dropLast().contains("`") { return true }
        if sql.hasPrefix("CAST(:"), !sql.dropFirst(6).contains("(") { return true }
        return sql.hasPrefix(":") && !sql.contains(" ")
    }

    /// The non-finite rule: NaN and ±infinity become null. Spark orders NaN above every number, so one comparison
    /// catches all three.
    mutating func finite(_ sql: String) -> String {
        let value = once(sql)
        return "IF(abs(\(value)) <= 1.7976931348623157E308D, \(value), NULL)"
    }

    mutating func render(_ expr: TypedExpr) -> String {
        switch expr {
        case .literal(let value, let type):
            return bind(value, type)
        case .column(_, let name, _):
            return column(name)
        case .negate(let inner, let type):
            guard type == .int64 else { return "(-\(r(inner)))" }
            let x = once(r(inner))
            return "CASE WHEN \(x) = \(Self.int64Min) THEN NULL ELSE (-\(x)) END"
        case .arithmetic(let op, let lhs, let rhs, let type):
            return renderArithmetic(op, r(lhs), r(rhs), type)
        case .concat(let lhs, let rhs):
            return "concat(\(r(lhs)), \(r(rhs)))"
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

    /// Integer overflow is checked with the operands' bits, not with `try_add`/`try_multiply`: Spark 4.3 loses the
    /// null of an inner `try_` call inside an outer one (`try_multiply(0, try_multiply(4, MIN))` is 0, not null).
    /// With ANSI mode off, `+ - *` wrap, and the check reads the wrapped result once.
    mutating func renderArithmetic(_ op: BinaryOperator, _ a: String, _ b: String, _ type: ValueType) -> String {
        let a = once(a), b = once(b)
        if type == .int64 {
            switch op {
            case .add:
                let sum = once("(\(a) + \(b))")
                return "IF(((\(sum) ^ \(a)) & (\(sum) ^ \(b))) < 0L, NULL, \(sum))"
            case .subtract:
                let difference = once("(\(a) - \(b))")
                return "IF(((\(a) ^ \(b)) & (\(a) ^ \(difference))) < 0L, NULL, \(difference))"
            case .multiply:
                let product = once("(\(a) * \(b))")
                return "IF(\(a) <> 0L AND (\(product) DIV \(a) <> \(b) OR (\(a) = -1L AND \(b) = \(Self.int64Min))), NULL, \(product))"
            case .divide:
                // Java's long division wraps on MIN / -1; the language says null, as for a zero divisor.
                return "CASE WHEN \(b) = 0L OR (\(b) = -1L AND \(a) = \(Self.int64Min)) THEN NULL ELSE \(a) DIV \(b) END"
            default:
                return "CASE WHEN \(b) = 0L THEN NULL ELSE \(a) % \(b) END"
            }
        }
        switch op {
        case .add: return finite("(\(a) + \(b))")
        case .subtract: return finite("(\(a) - \(b))")
        case .multiply: return finite("(\(a) * \(b))")
        case .divide: return finite("CASE WHEN \(b) = 0D THEN NULL ELSE \(a) / \(b) END")
        default: return "CAST(NULL AS DOUBLE)"
        }
    }

    mutating func renderFunction(_ function: BuiltinFunction, _ fargs: [TypedExpr], _ type: ValueType) -> String {
        var parts: [String] = []
        for arg in fargs { parts.append(r(arg)) }
        var list = parts.joined(separator: ", ")
        switch function {
        case .coalesce: return "coalesce(\(list))"
        case .nullif: return "nullif(\(list))"
        case .least, .greatest:
            // Spark's least/greatest skip nulls; the language (and SQLite's min/max) give null when any argument is null.
            parts = parts.map { once($0) }
            list = parts.joined(separator: ", ")
            let anyNull = parts.map { "\($0) IS NULL" }.joined(separator: " OR ")
            return "CASE WHEN \(anyNull) THEN NULL ELSE \(function.rawValue)(\(list)) END"
        case .if: return "CASE WHEN \(parts[0]) THEN \(parts[1]) ELSE \(parts[2]) END"
        case .abs:
            guard type == .int64 else { return "abs(\(list))" }
            let x = once(parts[0])
            return "CASE WHEN \(x) = \(Self.int64Min) THEN NULL ELSE abs(\(x)) END"
        case .round:
            var digits: Int64 = 0
            if fargs.count > 1, case .literal(.int(let d), _) = fargs[1] { digits = d }
            return round(once("CAST(\(parts[0]) AS DOUBLE)"), digits: digits)
        // Java's exp and log (fdlibm) differ from the C library's in the last bit on some inputs (exp(-272.0) does);
        // the driver's strata_ln/strata_exp call the C library through Python's math module, as Swift and SQLite do.
        case .ln:
            let x = once("CAST(\(parts[0]) AS DOUBLE)")
            return "IF(\(x) > 0D, strata_ln(\(x)), NULL)"
        case .exp: return finite("strata_exp(CAST(\(parts[0]) AS DOUBLE))")
        case .sqrt:
            let x = once("CAST(\(parts[0]) AS DOUBLE)")
            return "IF(\(x) >= 0D, sqrt(\(x)), NULL)"
        // The language folds ASCII letters only (as SQLite does); Spark's lower/upper are Unicode-aware.
        case .lower: return "translate(\(parts[0]), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
        case .upper: return "translate(\(parts[0]), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"
        case .length: return "CAST(char_length(\(parts[0])) AS BIGINT)"
        case .hour: return "(pmod(\(parts[0]), \(Self.microsPerDay)) DIV 3600000000L)"
        case .dayOfWeek:
            let t = once(parts[0])
            return "(pmod((\(t) - pmod(\(t), \(Self.microsPerDay))) DIV \(Self.microsPerDay) + 3L, 7L) + 1L)"
        }
    }

    /// `ScalarOperations.round` step for step: half away from zero on `x · 10^digits`, the scale built by the same
    /// repeated multiplication, values beyond 2^52 (no fraction) returned as they are.
    mutating func round(_ x: String, digits: Int64) -> String {
        let limit = "4503599627370496D"
        let body: String
        if digits == 0 {
            body = "CAST(CAST(\(x) + IF(\(x) < 0D, -0.5D, 0.5D) AS BIGINT) AS DOUBLE)"
        } else {
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            let s = "\(Int64(scale)).0D"
            let y = once("(\(x) * \(s))")
            let rounded = "IF(abs(\(y)) >= \(limit), \(y), sign(\(y)) * CAST(floor(abs(\(y))) + IF(abs(\(y)) - floor(abs(\(y))) >= 0.5D, 1L, 0L) AS DOUBLE))"
            body = "((\(rounded)) / \(s))"
        }
        return finite("IF(\(x) < -\(limit) OR \(x) > \(limit), \(x), \(body))")
    }

    mutating func renderCast(_ inner: TypedExpr, _ target: ValueType) -> String {
        switch (inner.type, target) {
        case (.int64, .float64), (.bool, .float64): return "CAST(\(r(inner)) AS DOUBLE)"
        // Java's (long) cast truncates toward zero and saturates, as the language does.
        case (.float64, .int64), (.bool, .int64): return "CAST(\(r(inner)) AS BIGINT)"
        case (.string, .int64):
            let pattern = bind(.string(#"(?U)^\s*([+-]?[0-9]+)\s*$"#), .string)
            return "CAST(regexp_extract(\(r(inner)), \(pattern), 1) AS BIGINT)"
        case (.string, .float64):
            let pattern = bind(.string(#"(?U)^\s*([+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)\s*$"#), .string)
            return finite("CAST(regexp_extract(\(r(inner)), \(pattern), 1) AS DOUBLE)")
        case (.int64, .string), (.bool, .string): return "CAST(\(r(inner)) AS STRING)"
        case (.int64, .bool): return "(\(r(inner)) <> 0L)"
        case (.int64, .timestamp):
            let x = once(r(inner))
            return "IF(\(x) BETWEEN \(Timestamp.minMicros)L AND \(Timestamp.maxMicros)L, \(x), NULL)"
        default: return r(inner)
        }
    }

    mutating func bind(_ value: Value, _ type: ValueType) -> String {
        if value.isNull { return "CAST(NULL AS \(Self.sparkType(type)))" }
        let name = ":\(prefix)\(arguments.count)"
        arguments.append(value)
        switch value {
        case .int: return "CAST(\(name) AS BIGINT)"
        case .float: return "CAST(\(name) AS DOUBLE)"
        default: return name
        }
    }
}
