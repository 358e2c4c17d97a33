import StrataCore

/// Where the records a `SourceRecordReader` decodes go: an ingest run's `RowSink` (SQLite rows and quarantine) or a
/// `ProfileSink` (a profile only, nothing stored).
protocol SourceRowSink {
    /// Records handed to the sink so far, accepted or not.
    var rowsRead: Int { get }
    /// A decoded row; the sink may still refuse it (a column expectation), like `quarantine`.
    /// `column` maps a schema position to the 1-based column of the file (nil where the format has none).
    mutating func accept(line: Int, event: Int64, created: Int64?, values: [Value], column: (Int) -> Int?, raw: () -> String) throws
    /// A record that cannot be decoded: where and why.
    mutating func quarantine(line: Int, column: Int?, raw: String, reason: String) throws
}

/// Parses a source's file (CSV or JSON Lines, the source's format) with its schema and hands every record to a
/// sink: the one reader behind `ingest` and `strata profile --file`, so both see the same rows and the same errors.
struct SourceRecordReader {
    let request: IngestRequest
    /// `(bytes read, file size)`, every 65,536 records.
    let progress: ((Int, Int) -> Void)?
}
