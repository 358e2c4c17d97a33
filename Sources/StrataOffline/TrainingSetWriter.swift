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
    case csv, jsonl, sqlite

    /// `.csv`, `.jsonl`/`.ndjson`, or `.db`/`.sqlite`/`.sqlite3`.
    public static func forPath(_ path: String) -> TrainingSetFormat? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson": return .jsonl
        case "db", "sqlite", "sqlite3": return .sqlite
        default: return nil
        }
    }
}

public enum TrainingSetWriter {
    /// Writes the set and returns the SHA-256 of its content rendered as CSV (the file's own hash for CSV output),
    /// so equal training sets have equal hashes whatever the format.
    public static func write(_ set: TrainingSet, to url: URL, format: TrainingSetFormat, table: String = "training_set") throws -> String {
        let csv = renderCSV(set)
        var hasher = SHA256()
        hasher.update(Array(csv.utf8))
        let hash = hasher.finalizeHex()
        do {
            switch format {
            case .csv: try Data(csv.utf8).write(to: url, options: .atomic)
            case .jsonl: try Data(renderJSONLines(set).utf8).write(to: url, options: .atomic)
            case .sqlite: try writeSQLite(set, to: url, table: table)
            }
        } catch let error as any StrataError {
            throw error
        } catch {
            throw OfflineStoreError.sqlite(operation: "write the training set", path: url.path, underlying: error.localizedDescription)
        }
        return hash
    }

    public static func renderCSV(_ set: TrainingSet) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(set.spine.rows.count * 64)
        func append(_ cells: [String]) {
            for (i, cell) in cells.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendCSVField(cell, to: &out)
            }
            out.append(UInt8(ascii: "\n"))
        }
        append(set.header)
        for (row, fields) in set.spine.rows.enumerated() {
            append(fields + set.cells(row).map(render))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func appendCSVField(_ text: String, to out: inout [UInt8]) {
        var needsQuotes = false
        for byte in text.utf8 where byte == 44 || byte == 34 || byte == 10 || byte == 13 {  // , " \n \r
            needsQuotes = true
            break
        }
        guard needsQuotes else { out.append(contentsOf: text.utf8); return }
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
            guard try db.tableExists(spec.sourceTableName) else { return [] }
            return try Int64.fetchAll(db, sql: """
                SELECT run_id FROM ingest_runs WHERE source = ? AND source_version = ? AND rows_accepted > 0
                AND run_id <= COALESCE((SELECT strata_run_id FROM \(quoted(spec.sourceTableName)) WHERE strata_row_id = ?), 0) ORDER BY run_id
                """, arguments: [spec.view.source.name, spec.sourceVersion, maxSeq])
        }
    }
}
