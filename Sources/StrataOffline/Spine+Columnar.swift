import Foundation
public import StrataColumnar
import StrataCore

/// A spine's own columns as read from Parquet or Arrow: their types and values, nulls kept, so the training set
/// passes them through typed.
public struct TypedSpineColumns: Sendable {
    public var schema: ColumnarSchema
    /// One column per schema field, each holding every spine row.
    public var columns: [ColumnarColumn]
}

/// The file formats a spine can come in, chosen from the path's extension.
public enum SpineFormat: Sendable {
    case csv, parquet, arrow

    /// `.parquet` / `.pq`, `.arrow` / `.feather` / `.ipc` / `.arrows`, anything else CSV.
    public static func forPath(_ path: String) -> SpineFormat {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "parquet", "pq": return .parquet
        case "arrow", "feather", "ipc", "arrows": return .arrow
        default: return .csv
        }
    }
}

extension Spine {
    /// Reads a Parquet or Arrow spine file (read whole with `read(2)`, never memory-mapped).
    static func readColumnar(url: URL, format: SpineFormat, displayPath: String, timestampColumn: String) throws -> Spine {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw OfflineStoreError.spineProblem(what: "cannot read the spine file \(displayPath)", file: displayPath, line: 0, fix: "check the path passed to --entities")
        }
        return try columnar(bytes: [UInt8](data), format: format, displayPath: displayPath, timestampColumn: timestampColumn)
    }

    /// A spine from Parquet or Arrow IPC (file or stream) bytes held in memory, such as a request body.
    /// Columns keep their types; the time column must be a timestamp, or text in RFC 3339.
    /// - Parameter rowsMax: more rows than this are refused (`ColumnarError` of kind `limitExceeded`).
    public static func columnar(bytes: [UInt8], format: SpineFormat, displayPath: String, timestampColumn: String,
                                rowsMax: Int = Spine.rowsMax) throws -> Spine {
        var sha = SHA256()
        sha.update(bytes)
        do {
            let (schema, columns) = try readColumns(bytes, format: format, rowsMax: rowsMax)
            guard let timeIndex = schema.index(of: timestampColumn) else {
                throw OfflineStoreError.spineProblem(
                    what: "the spine has no `\(timestampColumn)` column (found: \(schema.fields.map(\.name).joined(separator: ", ")))",
                    file: displayPath, line: 0, fix: "add the column or name the time column with --timestamp-column")
            }
            let rowCount = columns.first?.count ?? 0
            var spine = Spine(path: displayPath, sha256: sha.finalizeHex(), header: schema.fields.map(\.name), rows: [], lines: (0..<rowCount).map { $0 + 1 },
                              timestampColumn: timestampColumn, times: try times(columns[timeIndex], schema.fields[timeIndex], displayPath: displayPath))
            spine.rows = (0..<rowCount).map { row in zip(columns, schema.fields).map { text($0.value(row), $1.type) } }
            spine.typedColumns = TypedSpineColumns(schema: schema, columns: columns)
            return spine
        } catch let error as ColumnarError {
            var located = error
            located.file = displayPath
            throw located
        }
    }

    private static func readColumns(_ bytes: [UInt8], format: SpineFormat, rowsMax: Int) throws -> (ColumnarSchema, [ColumnarColumn]) {
        var batches: [ColumnarBatch] = []
        let schema: ColumnarSchema
        if format == .parquet {
            let reader = try ParquetReader(bytes: bytes, rowsMax: rowsMax)
            schema = reader.schema
            for index in 0..<reader.rowGroupCount { batches.append(try reader.readRowGroup(index)) }
        } else {
            var reader = try ArrowReader(bytes: bytes, rowsMax: rowsMax)
            schema = reader.schema
            while let batch = try reader.next() { batches.append(batch) }
        }
        let columns = schema.fields.indices.map { index in
            ColumnarColumn.concatenate(batches.map { $0.columns[index] }, type: schema.fields[index].type)
        }
        return (schema, columns)
    }

    /// The spine times: a timestamp column as is, a text column parsed as RFC 3339; a null time is an error.
    private static func times(_ column: ColumnarColumn, _ field: ColumnarField, displayPath: String) throws -> [Int64] {
        func problem(_ what: String, row: Int, fix: String) -> OfflineStoreError {
            .spineProblem(what: "spine column `\(field.name)`, row \(row + 1): \(what)", file: displayPath, line: row + 1, fix: fix)
        }
        switch (field.type, column.values) {
        case (.timestamp, .int64(let values)):
            if let row = column.validity?.firstIndex(of: false) {
                throw problem("the time is null", row: row, fix: "give every spine row a time")
            }
            return values
        case (.string, .string(let texts)):
            return try (0..<texts.count).map { row in
                switch Timestamp.parse(column.isNull(row) ? "" : texts[row]) {
                case .success(let t): return t
                case .failure(let failure):
                    throw problem("\(failure)", row: row, fix: "write RFC 3339 times with `Z` or an offset, e.g. 2026-03-01T12:00:00Z, or a timestamp column")
                }
            }
        default:
            throw OfflineStoreError.spineProblem(what: "spine column `\(field.name)` is \(field.type), not a timestamp", file: displayPath, line: 0,
                                                 fix: "store the time column as a timestamp (pandas: `pd.to_datetime(df[col], utc=True)`)")
        }
    }

    /// A typed cell as the CSV output shows it: empty for null (and for NaN or ±infinity, which Strata treats as null),
    /// timestamps in RFC 3339.
    static func text(_ value: Value, _ type: ValueType) -> String {
        switch value {
        case .int(let v) where type == .timestamp: return Timestamp.format(v)
        case .float(let v) where !v.isFinite: return ""
        default: return TrainingSetWriter.render(value)
        }
    }
}
