/// Scalar semantics shared by the Swift evaluator and the SQLite helper functions, so both agree by construction
/// where SQLite has no native equivalent (overflow, string-to-number parsing).
public enum ScalarOperations {
    static func arithmetic(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) -> Value {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)):
            return integer(op, a, b).map(Value.int) ?? .null
        case (.float(let a), .float(let b)):
            let result: Double
            switch op {
            case .add: result = a + b
            case .subtract: result = a - b
            case .multiply: result = a * b
            case .divide:
                guard b != 0 else { return .null }
                result = a / b
            default: return .null
            }
            return .finite(result)
        default:
            return .null
        }
    }

    static func integer(_ op: BinaryOperator, _ a: Int64, _ b: Int64) -> Int64? {
        switch op {
        case .add: let r = a.addingReportingOverflow(b); return r.overflow ? nil : r.partialValue
        case .subtract: let r = a.subtractingReportingOverflow(b); return r.overflow ? nil : r.partialValue
        case .multiply: let r = a.multipliedReportingOverflow(by: b); return r.overflow ? nil : r.partialValue
        case .divide:
            guard b != 0 else { return nil }
            if a == Int64.min, b == -1 { return nil }
            return a / b
        case .remainder:
            guard b != 0 else { return nil }
            if b == -1 { return 0 }
            return a % b
        default: return nil
        }
    }

    /// Three-way comparison with SQLite's rules for same-typed values; nil when either side is null.
    public static func compare(_ lhs: Value, _ rhs: Value) -> Int? {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b ? -1 : a > b ? 1 : 0
        case (.float(let a), .float(let b)): return a < b ? -1 : a > b ? 1 : 0
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        case (.string(let a), .string(let b)): return compareBytes(a, b)
        case (.int(let a), .float(let b)): return compareIntDouble(a, b)
        case (.float(let a), .int(let b)): return compareIntDouble(b, a).map { -$0 }
        default: return nil
        }
    }

    /// SQLite's BINARY collation: memcmp of the UTF-8 bytes, not Unicode canonical order.
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var ai = a.utf8.makeIterator(), bi = b.utf8.makeIterator()
        while true {
            switch (ai.next(), bi.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case let (x?, y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }

    static func compareIntDouble(_ a: Int64, _ b: Double) -> Int? {
        if b.isNaN { return nil }
        if b >= 9_223_372_036_854_775_808.0 { return -1 }
        if b < -9_223_372_036_854_775_808.0 { return 1 }
        let truncated = Int64(b.rounded(.towardZero))
        if a != truncated { return a < truncated ? -1 : 1 }
        let fraction = b - b.rounded(.towardZero)
        return fraction > 0 ? -1 : fraction < 0 ? 1 : 0
    }

    static func holds(_ op: BinaryOperator, _ order: Int) -> Bool {
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }

    static func cast(_ value: Value, from: ValueType, to: ValueType) -> Value {
        if value.isNull || from == to { return value }
        switch (value, to) {
        case (.int(let v), .float64): return .float(Double(v))
        case (.int(let v), .string): return .string(String(v))
        case (.int(let v), .bool): return .bool(v != 0)
        case (.int, .int64): return value
        case (.int(let v), .timestamp): return checkedTimestamp(v).map(Value.int) ?? .null
        case (.float(let v), .int64): return .int(saturatingInt(v))
        case (.bool(let b), .int64): return .int(b ? 1 : 0)
        case (.bool(let b), .float64): return .float(b ? 1 : 0)
        case (.bool(let b), .string): return .string(b ? "true" : "false")
        case (.string(let s), .int64): return parseInt(s).map(Value.int) ?? .null
        case (.string(let s), .float64): return parseFloat(s).map(Value.float) ?? .null
        default: return .null
        }
    }

    /// An int64 as a timestamp: itself when inside the years 0001-9999, else null (time parts never overflow).
    public static func checkedTimestamp(_ v: Int64) -> Int64? {
        v >= Timestamp.minMicros && v <= Timestamp.maxMicros ? v : nil
    }

    /// SQLite's `CAST(real AS INTEGER)`: truncates toward zero and saturates at the int64 limits.
    static func saturatingInt(_ v: Double) -> Int64 {
        if v >= 9_223_372_036_854_775_807.0 { return Int64.max }
        if v <= -9_223_372_036_854_775_808.0 { return Int64.min }
        return Int64(v.rounded(.towardZero))
    }

    /// Text to int64 for `cast(s as int64)`: optional sign and digits, surrounding ASCII spaces allowed; otherwise null.
    public static func parseInt(_ text: String) -> Int64? {
        Int64(text.trimmingSpaces())
    }

    /// Text to float64 for `cast(s as float64)`: a finite decimal number; otherwise null.
    public static func parseFloat(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces()
        guard let value = Double(trimmed), value.isFinite,
              trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) })
        else { return nil }
        return value
    }

    static func unaryFunction(_ function: BuiltinFunction, _ args: [Value]) -> Value {
        switch (function, args[0]) {
        case (.abs, .int(let v)): return v == Int64.min ? .null : .int(Swift.abs(v))
        case (.abs, .float(let v)): return .float(Swift.abs(v))
        case (.round, let value):
            guard let x = value.doubleValue else { return .null }
            let digits: Int64
            if args.count > 1, case .int(let d) = args[1] { digits = d } else { digits = 0 }
            return .finite(round(x, digits: digits))
        case (.ln, let value):
            guard let x = value.doubleValue, x > 0 else { return .null }
            return .float(Foundationless.naturalLog(x))
        case (.exp, let value):
            guard let x = value.doubleValue else { return .null }
            return .finite(Foundationless.exponential(x))
        case (.sqrt, let value):
            guard let x = value.doubleValue, x >= 0 else { return .null }
            return .float(x.squareRoot())
        case (.lower, .string(let s)): return .string(asciiMapped(s, lower: true))
        case (.upper, .string(let s)): return .string(asciiMapped(s, lower: false))
        case (.length, .string(let s)): return .int(Int64(s.unicodeScalars.count))
        case (.hour, .int(let t)): return .int(Timestamp.floorMod(t, Timestamp.microsPerDay) / 3_600_000_000)
        case (.dayOfWeek, .int(let t)): return .int(Timestamp.floorMod(Timestamp.floorDiv(t, Timestamp.microsPerDay) + 3, 7) + 1)
        default: return .null
        }
    }

    /// The language's `round`: half away from zero on `x · 10^digits` (the scale built by repeated multiplication), so
    /// `round(2.675, 2)` is 2.67, as in Python and numpy; values beyond 2^52 have no fraction and are returned as is.
    /// SQLite runs this through `strata_round`, and Spark through the same steps in SQL (`ExpressionSparkSQL.round`).
    public static func round(_ x: Double, digits: Int64) -> Double {
        if x < -4_503_599_627_370_496.0 || x > 4_503_599_627_370_496.0 { return x }
        if digits == 0 { return Double(Int64(x + (x < 0 ? -0.5 : 0.5))) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (x * scale).rounded(.toNearestOrAwayFromZero) / scale
    }

    /// SQLite's built-in `lower`/`upper` fold ASCII letters only; other characters pass through.
    static func asciiMapped(_ s: String, lower: Bool) -> String {
        var bytes = Array(s.utf8)
        for i in bytes.indices {
            let b = bytes[i]
            if lower, b >= 65, b <= 90 { bytes[i] = b + 32 }
            if !lower, b >= 97, b <= 122 { bytes[i] = b - 32 }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
