/// The status of one feature value in a joined or served row.
public enum FeatureStatus: String, Sendable, Codable, Hashable {
    case present
    case notFound = "not_found"
    case expired
    /// The feature changed in the applied revision and its new values are not materialized yet (native API only).
    case notMaterialized = "not_materialized"
}

/// One component of an entity key tuple.
public enum KeyPart: Hashable, Sendable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .string(let s): return s
        }
    }
}

/// A full key tuple: `(1, 23)` and `(12, 3)` are different tuples, never a concatenation.
public struct KeyTuple: Hashable, Sendable {
    public var parts: [KeyPart]

    public init(_ parts: [KeyPart]) {
        self.parts = parts
    }
}
