public import Foundation
public import StrataCore

/// A training spine read from CSV, Parquet or Arrow: every row kept exactly (order, duplicates, extra columns), plus its parsed time.
public struct Spine: Sendable {
    public var path: String
    public var sha256: String
    public var header: [String]
    /// Field texts per row, unescaped, exactly as in the file.
    public var rows: [[String]]
    public var lines: [Int]
    public var timestampColumn: String
    public var times: [Int64]
    /// The columns with their types when the spine came from Parquet or Arrow; nil for CSV, whose columns are text.
    public var typedColumns: TypedSpineColumns?

    /// More rows than this is refused with a fix rather than exhausting memory.
    public static let rowsMax = 20_000_000

    /// Reads and checks a spine; every problem names the line and says how to fix it.
    public static func read(url: URL, displayPath: String, timestampColumn: String) throws -> Spine {
        let format = SpineFormat.forPath(url.path)
        if format != .csv { return try readColumnar(url: url, format: format, displayPath: displayPath, timestampColumn: timestampColumn) }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw OfflineStoreError.spineProblem(what: "cannot read the spine file \(displayPath)", file: displayPath, line: 0, fix: "check the path passed to --entities")
        }
        return try data.withUnsafeBytes { bytes in
            var reader = CSVReader(bytes: bytes)
            var fields: [CSVReader.Field] = []
            guard reader.next(into: &fields) != nil else {
                throw OfflineStoreError.spineProblem(what: "the spine file is empty", file: displayPath, line: 1, fix: "the first line must name the columns")
            }
            let header = fields.map { reader.string($0) }
            guard let timeIndex = header.firstIndex(of: timestampColumn) else {
                throw OfflineStoreError.spineProblem(what: "the spine has no `\(timestampColumn)` column (found: \(header.joined(separator: ", ")))",
                                                     file: displayPath, line: 1, fix: "add the column or name the time column with --timestamp-column")
            }
            var spine = Spine(path: displayPath, sha256: sha(bytes), header: header, rows: [], lines: [], timestampColumn: timestampColumn, times: [])
            while let record = reader.next(into: &fields) {
                if let problem = record.problem {
                    throw OfflineStoreError.spineProblem(what: "malformed CSV in the spine: \(problem)", file: displayPath, line: record.line, fix: "fix the row")
                }
                guard fields.count == header.count else {
                    throw OfflineStoreError.spineProblem(what: "spine row has \(fields.count) fields, the header has \(header.count)", file: displayPath,
                                                         line: record.line, fix: "make every row have one field per header column")
                }
                guard spine.rows.count < rowsMax else {
                    throw OfflineStoreError.limitExceeded(what: "the spine's row count", limit: rowsMax, fix: "split the spine into several requests")
                }
                let row = fields.map { reader.string($0) }
                switch Timestamp.parse(row[timeIndex]) {
                case .success(let t): spine.times.append(t)
                case .failure(let failure):
                    throw OfflineStoreError.spineProblem(what: "spine column `\(timestampColumn)`: \(failure)", file: displayPath, line: record.line,
                                                         fix: "write RFC 3339 times with `Z` or an offset, e.g. 2026-03-01T12:00:00Z")
                }
                spine.rows.append(row)
                spine.lines.append(record.line)
            }
            return spine
        }
    }

    /// Each row's key tuple for a view's join keys; nil where a key value is empty.
    /// - Throws: `spineProblem` when a key column is missing or a value is not of the key's type.
    public func keyTuples(_ keys: [JoinKey]) throws -> [KeyTuple?] {
        var indexes: [Int] = []
        for key in keys {
            guard let index = header.firstIndex(of: key.name) else {
                throw OfflineStoreError.spineProblem(what: "the spine has no `\(key.name)` column, a join key of the requested features",
                                                     file: path, line: 1, fix: "add a `\(key.name)` column to the spine")
            }
            indexes.append(index)
        }
        return try rows.enumerated().map { rowIndex, row in
            var parts: [KeyPart] = []
            for (key, index) in zip(keys, indexes) {
                let text = row[index]
                if text.isEmpty { return nil }
                if key.type == .string { parts.append(.string(text)); continue }
                guard let value = Int64(text) else {
                    throw OfflineStoreError.spineProblem(what: "spine column `\(key.name)`: `\(text)` is not an int64", file: path, line: lines[rowIndex],
                                                         fix: "write whole numbers in int64 key columns, or leave the field empty for no key")
                }
                parts.append(.int(value))
            }
            return KeyTuple(parts)
        }
    }

    static func sha(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }
}
