public import Foundation
import GRDB
public import StrataCore

/// One output column holding a feature's values.
public struct TrainingSetColumn: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    /// Index into the join results (one per view).
    public var viewIndex: Int
    /// Index into that view's requested features.
    public var featureIndex: Int

    public init(name: String, type: ValueType, viewIndex: Int, featureIndex: Int) {
        self.name = name
        self.type = type
        self.viewIndex = viewIndex
        self.featureIndex = featureIndex
    }
}

/// The joined training set: the spine, passed through, and one column per requested feature.
public struct TrainingSet: Sendable {
    public var spine: Spine
    public var columns: [TrainingSetColumn]
    public var results: [ViewJoinResult]
    /// When set, per view a `view__status` and `view__event_ts` column follow the features.
    public var statusViews: [String]
    /// The declared types of the views' join keys: a CSV spine's key columns get them in Parquet and Arrow output.
    public var spineKeyTypes: [String: ValueType] = [:]

    public init(spine: Spine, columns: [TrainingSetColumn], results: [ViewJoinResult], statusViews: [String]) {
        self.spine = spine
        self.columns = columns
        self.results = results
        self.statusViews = statusViews
    }

    public var header: [String] {
        spine.header + columns.map(\.name) + statusViews.flatMap { ["\($0)__status", "\($0)__event_ts"] }
    }

    /// Output cells of one row after the spine's own: feature values, then statuses if asked.
    func cells(_ row: Int) -> [Value] {
        var cells = columns.map { results[$0.viewIndex].values[$0.featureIndex][row] }
        for (viewIndex, _) in statusViews.enumerated() {
            cells.append(.string(results[viewIndex].statuses[row].rawValue))
            cells.append(results[viewIndex].eventTimes[row].map { .string(Timestamp.format($0)) } ?? .null)
        }
        return cells
    }

    func types() -> [ValueType] { columns.map(\.type) + statusViews.flatMap { _ in [ValueType.string, .string] } }
}

/// Where and how a training set is written, chosen from the output path.
public enum TrainingSetFormat: String, Sendable, Codable {
    case csv, jsonl, sqlite, parquet, arrow
    /// The Arrow IPC stream format (`application/vnd.apache.arrow.stream`): what `POST /v1/historical` sends.
    case arrowStream = "arrow_stream"

    /// `.csv`, `.jsonl`/`.ndjson`, `.db`/`.sqlite`/`.sqlite3`, `.parquet`, `.arrow`/`.feather` (Arrow IPC file format),
    /// or `.arrows` (Arrow IPC stream format).
    public static func forPath(_ path: String) -> TrainingSetFormat? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson": return .jsonl
        case "db", "sqlite", "sqlite3": return .sqlite
        case "parquet": return .parquet
        case "arrow", "feather": return .arrow
        case "arrows": return .arrowStream
        default: return nil
        }
    }
}

public enum TrainingSetWriter {
    /// Writes the set and returns the SHA-256 of its content rendered as CSV (the file's own hash for CSV output),
    /// so equal training sets have equal hashes whatever the format.
    ///
    /// The CSV rendering streams through a 1 MiB buffer into the hash (and, for CSV output, into a private temporary
    /// file renamed over the target at the end): memory stays bounded by the buffer, not the output. Rendering the whole
    /// text first and copying it three times (String, hash input, Data) took 0.4 GB at SCALE=10 and ~15% of a 1M-row
    /// `historical` run.
    public static func write(_ set: TrainingSet, to url: URL, format: TrainingSetFormat, table: String = "training_set") throws -> String {
        if format == .parquet || format == .arrow || format == .arrowStream { return try writeColumnar(set, to: url, format: format).content }
        var hasher = SHA256()
        do {
            switch format {
            case .csv:
                let file = try AtomicFile(replacing: url)
                do {
                    try renderCSV(set) { chunk in
                        hasher.update(chunk)
                        try file.write(chunk)
                    }
                    try file.commit()
                } catch {
                    file.discard()
                    throw error
                }
            case .jsonl:
                try renderCSV(set) { hasher.update($0) }
                try Data(renderJSONLines(set).utf8).write(to: url, options: .atomic)
            case .sqlite:
                try renderCSV(set) { hasher.update($0) }
                try writeSQLite(set, to: url, table: table)
            case .parquet, .arrow, .arrowStream: break  // written above
            }
        } catch let error as any StrataError {
            throw error
        } catch {
            throw OfflineStoreError.failed(operation: "write the training set", path: url.path, cause: error)
        }
        return hasher.finalizeHex()
    }

    /// The CSV text of a training set (tests and small sets; `write` streams instead).
    public static func renderCSV(_ set: TrainingSet) -> String {
        var out: [UInt8] = []
        // The closure cannot fail: it only collects.
        try? renderCSV(set) { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Renders the CSV in chunks of about 1 MiB, handed to `sink` in order.
    static func renderCSV(_ set: TrainingSet, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let chunkBytes = 1 << 20
        var out: [UInt8] = []
        out.reserveCapacity(chunkBytes + 4096)
        func endLine() throws {
            out.append(UInt8(ascii: "\n"))
            if out.count >= chunkBytes {
                try out.withUnsafeBytes(sink)
                out.removeAll(keepingCapacity: true)
            }
        }
        for (i, name) in set.header.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendCSVField(name, to: &out)
        }
        try endLine()
        let columns = set.columns
        for (row, fields) in set.spine.rows.enumerated() {
            for (i, field) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendCSVField(field, to: &out)
            }
            for column in columns {
                out.append(UInt8(ascii: ","))
                appendCSVCell(set.results[column.viewIndex].values[column.featureIndex][row], to: &out)
            }
            for viewIndex in set.statusViews.indices {
                out.append(UInt8(ascii: ","))
                appendCSVField(set.results[viewIndex].statuses[row].rawValue, to: &out)
                out.append(UInt8(ascii: ","))
                if let t = set.results[viewIndex].eventTimes[row] { appendCSVField(Timestamp.format(t), to: &out) }
            }
            try endLine()
        }
        if !out.isEmpty { try out.withUnsafeBytes(sink) }
    }

    /// One feature cell, rendered exactly as `render` does (content hashes of recorded training sets depend on it),
    /// without building an intermediate string for ints and bools.
    static func appendCSVCell(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: return
        case .int(let v): FlatJSON.appendDecimal(v, to: &out)
        case .bool(let b): out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .float, .string: appendCSVField(render(value), to: &out)
        }
    }

    static func appendCSVField(_ text: String, to out: inout [UInt8]) {
        var text = text
        // Scans and copies the contiguous UTF-8 (iterating `String.UTF8View` showed in profiles of 100k-row outputs).
        let isPlain = text.withUTF8 { utf8 -> Bool in
            for byte in utf8 where byte == 44 || byte == 34 || byte == 10 || byte == 13 { return false }  // , " \n \r
            out.append(contentsOf: utf8)
            return true
        }
        guard !isPlain else { return }
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func renderJSONLines(_ set: TrainingSet) -> String {
        var out = ""
        let header = set.header
        let types = set.types()
        for (row, fields) in set.spine.rows.enumerated() {
            var parts = fields.enumerated().map { "\(jsonString(header[$0.offset])):\(jsonString($0.element))" }
            for (i, cell) in set.cells(row).enumerated() {
                parts.append("\(jsonString(header[fields.count + i])):\(jsonValue(cell, types[i]))")
            }
            out += "{" + parts.joined(separator: ",") + "}\n"
        }
        return out
    }

    static func writeSQLite(_ set: TrainingSet, to url: URL, table: String) throws {
        let db = try DatabaseQueue(path: url.path)
        let header = set.header
        let types = set.types()
        let spineCount = set.spine.header.count
        try db.write { db in
            try db.execute(sql: "DROP TABLE IF EXISTS \(quoted(table))")
            let columns = header.enumerated().map { i, name in
                "\(quoted(name)) \(i < spineCount ? "TEXT" : SourceTable.affinity(types[i - spineCount]))"
            }
            try db.execute(sql: "CREATE TABLE \(quoted(table)) (spine_row INTEGER PRIMARY KEY, \(columns.joined(separator: ", ")))")
            let insert = try db.makeStatement(sql: "INSERT INTO \(quoted(table)) VALUES (\(Array(repeating: "?", count: header.count + 1).joined(separator: ", ")))")
            for (row, fields) in set.spine.rows.enumerated() {
                var arguments: [DatabaseValue] = [(row + 1).databaseValue] + fields.map(\.databaseValue)
                for cell in set.cells(row) { arguments.append(databaseValue(cell)) }
                try insert.execute(arguments: StatementArguments(arguments))
            }
        }
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .int(let v): return String(v)
        case .float(let v): return v.isFinite ? String(v) : ""
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }

    static func jsonValue(_ value: Value, _ type: ValueType) -> String {
        switch value {
        case .null: return "null"
        case .int(let v): return type == .timestamp ? jsonString(Timestamp.format(v)) : String(v)
        case .float(let v): return v.isFinite ? String(v) : "null"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return jsonString(s)
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func databaseValue(_ value: Value) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .int(let v): return v.databaseValue
        case .float(let v): return v.isFinite ? v.databaseValue : .null
        case .string(let s): return s.databaseValue
        case .bool(let b): return (b ? 1 : 0).databaseValue
        }
    }
}

extension OfflineStore {
    /// The highest ingest sequence in a feature table (0 when empty): a reproduction ignores rows above it.
    public func maxIngestSeq(_ spec: FeatureTableSpec) throws -> Int64 {
        try read("read the ingest watermark") { db in
            // The table's ingest_seq is its source row id, and view_tables records the last source row transformed:
            // reading it avoids a scan (ingest_seq is not the leading column of the table's key).
            try Int64.fetchOne(db, sql: "SELECT last_source_row FROM view_tables WHERE table_name = ?", arguments: [spec.tableName]) ?? 0
        }
    }

    /// The ingest runs whose rows a feature table holds up to `maxSeq`.
    public func visibleRuns(_ spec: FeatureTableSpec, maxSeq: Int64) throws -> [Int64] {
        try read("list visible runs") { db in
            guard spec.hasSourceStorage, try db.tableExists(spec.sourceTableName) else { return [] }
            return try Int64.fetchAll(db, sql: """
                SELECT DISTINCT r.run_id FROM ingest_runs r JOIN source_files f ON f.run_id = r.run_id
                WHERE f.family = ? AND r.rows_accepted > 0
                AND r.run_id <= COALESCE((SELECT strata_run_id FROM \(quoted(spec.sourceTableName)) WHERE strata_row_id = ?), 0) ORDER BY r.run_id
                """, arguments: [spec.storage.family, maxSeq])
        }
    }
}
