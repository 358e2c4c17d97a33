import GRDB
import StrataCore

/// Rows pushed in memory (the body of an HTTP push), ingested without a file.
///
/// The batch's content is its rows written as JSON Lines (one object per row, columns in `columns` order): its
/// SHA-256 identifies the batch, so the same rows pushed again add nothing, and a quarantined row shows that line.
public struct PushedRows: Sendable {
    public var columns: [String]
    /// One value per column, per row.
    public var rows: [[JSONScalar]]

    public init(columns: [String], rows: [[JSONScalar]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Row `index` as one JSON object.
    public func line(_ index: Int) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, (name, value)) in zip(columns, rows[index]).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            FlatJSON.append(.string(name), to: &out)
            out.append(UInt8(ascii: ":"))
            switch value {
            case .null: out += Array("null".utf8)
            case .bool(let b): out += Array((b ? "true" : "false").utf8)
            case .int(let v): out += Array(String(v).utf8)
            case .double(let v): out += Array((v.isFinite ? String(v) : "null").utf8)
            case .string(let s): FlatJSON.append(.string(s), to: &out)
            case .nested: out += Array("{}".utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The batch's JSON Lines text, hashed, and its size in bytes.
    public func content() -> (sha256: String, sizeBytes: Int) {
        var hasher = SHA256()
        var size = 0
        for index in rows.indices {
            let bytes = Array((line(index) + "\n").utf8)
            hasher.update(bytes)
            size += bytes.count
        }
        return (hasher.finalizeHex(), size)
    }
}

extension IngestRun {
    /// Ingests a pushed batch: row `n` has line number `n` under the push's label (`push:REQUEST`).
    /// A batch whose content an earlier push stored in this storage's family is recognised and adds nothing.
    func run(_ pushed: PushedRows) throws -> IngestReport {
        let source = request.source
        let (sha, size) = pushed.content()
        var report = IngestReport(runID: nil, source: source.name, file: request.displayPath, change: .new, fileVersion: 1, contentSHA256: sha)
        if let previous = try Row.fetchOne(db, sql: """
            SELECT file_id, path, file_version FROM source_files
            WHERE family = ? AND content_sha256 = ? AND path LIKE 'push:%' ORDER BY file_id LIMIT 1
            """, arguments: [request.storage.family, sha]) {
            report.change = .unchanged
            report.file = previous["path"]
            report.fileVersion = previous["file_version"]
            report.fileID = previous["file_id"]
            try refreshViews(&report)
            return report
        }
        var sink = try beginRun(&report, sizeBytes: size)
        var values = Array(repeating: Value.null, count: source.columns.count)
        let reader = SourceRecordReader(request: request, progress: nil)
        for (index, row) in pushed.rows.enumerated() {
            var object: [String: JSONScalar] = [:]
            for (name, value) in zip(pushed.columns, row) { object[name] = value }
            switch reader.decode(object, into: &values) {
            case .success(let times):
                try sink.accept(line: index + 1, event: times.event, created: times.created, values: values, column: { _ in nil }, raw: { pushed.line(index) })
            case .failure(let failure): try sink.quarantine(line: index + 1, column: nil, raw: pushed.line(index), reason: failure.reason)
            }
        }
        try finishRun(&report, sink: sink, records: sink.rowsRead, lines: pushed.rows.count + 1)
        return report
    }
}
