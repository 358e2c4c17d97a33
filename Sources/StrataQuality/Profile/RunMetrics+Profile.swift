public import StrataCore

extension RunMetrics {
    /// The metrics the run rules need, read off the profile of the rows a run would write.
    ///
    /// ```swift
    /// let metrics = RunMetrics(profile: accepted, newestEventMicros: newest, duplicateKeyRows: duplicates)
    /// let results = RunChecker.check(expectations, run: metrics, previous: last, now: started)
    /// ```
    public init(profile: DatasetProfile, newestEventMicros: Int64?, duplicateKeyRows: Int64? = nil) {
        var columns: [String: ColumnMetrics] = [:]
        for column in profile.columns {
            columns[column.name] = ColumnMetrics(rowCount: column.rowCount, nullCount: column.nullCount, mean: column.mean)
        }
        self.init(rowCount: profile.rowCount, newestEventMicros: newestEventMicros, columns: columns, duplicateKeyRows: duplicateKeyRows)
    }
}
