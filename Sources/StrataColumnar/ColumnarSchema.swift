public import StrataCore

/// One column of a columnar file: a name, one of Strata's value types, and whether it may hold nulls.
///
/// Timestamps are Int64 microseconds since the Unix epoch, UTC, as everywhere in Strata.
public struct ColumnarField: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    public var isNullable: Bool

    /// A field named `name` of `type`.
    public init(name: String, type: ValueType, isNullable: Bool = true) {
        self.name = name
        self.type = type
        self.isNullable = isNullable
    }
}

/// The ordered columns of a columnar file.
public struct ColumnarSchema: Sendable, Hashable {
    public var fields: [ColumnarField]

    /// A schema of `fields`, in order.
    public init(_ fields: [ColumnarField]) {
        self.fields = fields
    }

    /// The index of the first column named `name`.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}
