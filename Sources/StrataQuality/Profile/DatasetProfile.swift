public import StrataCore

/// Profiles of every column of a table: an ingest run, a training set or a window of serving logs.
///
/// ```swift
/// var profile = DatasetProfile(columns: [("conv_rate", .float64), ("city", .string)])
/// profile.add(row: [.float(0.4), .string("lagos")])
/// let week = try monday.merging(tuesday)
/// ```
public struct DatasetProfile: Sendable, Hashable, Codable {
    /// Rows added with `add(row:)` or merged in.
    public private(set) var rowCount: Int64 = 0
    public private(set) var columns: [ColumnProfile]

    public init(columns: [(name: String, type: ValueType)]) {
        self.columns = columns.map { ColumnProfile(name: $0.name, type: $0.type) }
    }

    /// A profile assembled from column profiles built elsewhere (for example one value at a time on a hot path).
    public init(columns: [ColumnProfile], rowCount: Int64) {
        self.columns = columns
        self.rowCount = rowCount
    }

    /// Adds one row whose values are in column order; extra values are ignored and missing ones count as nulls.
    @inline(__always)
    public mutating func add(row: [Value]) {
        rowCount += 1
        for index in columns.indices {
            if index < row.count { columns[index].add(row[index]) } else { columns[index].addNull() }
        }
    }

    /// The profile of the named column.
    public subscript(column name: String) -> ColumnProfile? {
        columns.first { $0.name == name }
    }

    /// Merges another profile column by column (matched by name; a column only the other has is appended).
    ///
    /// - Throws: `ProfileError.typeMismatch` when a column has different types; nothing is changed then.
    public mutating func merge(_ other: DatasetProfile) throws(ProfileError) {
        var merged = columns
        for column in other.columns {
            if let index = merged.firstIndex(where: { $0.name == column.name }) {
                try merged[index].merge(column)
            } else {
                merged.append(column)
            }
        }
        columns = merged
        rowCount += other.rowCount
    }

    public func merging(_ other: DatasetProfile) throws(ProfileError) -> DatasetProfile {
        var copy = self
        try copy.merge(other)
        return copy
    }
}
