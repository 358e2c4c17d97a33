/// The types a column, feature or expression can have.
public enum ValueType: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case int64, float64, string, bool, timestamp

    public var description: String { rawValue }

    public var isNumeric: Bool { self == .int64 || self == .float64 }

    /// Types allowed for entity join keys.
    public var isKeyType: Bool { self == .int64 || self == .string }

    /// Parses a type name as written in definitions; accepts a few common aliases.
    public static func named(_ text: String) -> ValueType? {
        switch text.lowercased() {
        case "int64", "int", "integer", "long": return .int64
        case "float64", "float", "double": return .float64
        case "string", "str", "text": return .string
        case "bool", "boolean": return .bool
        case "timestamp", "datetime": return .timestamp
        default: return nil
        }
    }

    public static let spellings = "int64, float64, string, bool or timestamp"
}

/// A runtime value. Timestamps are `.int` microseconds since the epoch, UTC.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case null
    case int(Int64)
    case float(Double)
    case string(String)
    case bool(Bool)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The one non-finite rule (docs/semantics.md): NaN and ±infinity are null, like division by zero.
    public var finiteOrNull: Value {
        if case .float(let v) = self, !v.isFinite { return .null }
        return self
    }

    /// A float result under the non-finite rule.
    public static func finite(_ v: Double) -> Value { v.isFinite ? .float(v) : .null }

    public var description: String {
        switch self {
        case .null: return "null"
        case .int(let v): return String(v)
        case .float(let v): return v.isFinite ? String(v) : "null"
        case .string(let v): return v
        case .bool(let v): return v ? "true" : "false"
        }
    }

    /// The value as a Double when it is numeric.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .bool(let v): return v ? 1 : 0
        default: return nil
        }
    }
}
