import Foundation
import GRDB

/// One ingest (or push) run with the file it read and the definition versions in force: what lineage export needs.
public struct IngestRunDetail: Sendable, Hashable {
    public var run: IngestRunRecord
    /// The path as recorded: relative to the project for a source file, `push:NAME` for a pushed batch.
    public var file: String
    public var fileSHA256: String
    public var fileVersion: Int
    /// Bytes this run read: the whole file, or only what was appended since the previous run.
    public var bytesRead: Int64
    /// Object name → version at the run's start (entities, sources, views, services).
    public var definitionVersions: [String: Int]

    /// Whether the run came from `push` rather than `ingest`.
    public var isPush: Bool { file.hasPrefix("push:") }
}

extension OfflineStore {
    /// Every finished ingest and push run with its file, oldest first.
    /// - Throws: `OfflineStoreError.sqlite` when the store cannot be read or a run's recorded versions are not valid JSON.
    public func ingestRunDetails() throws -> [IngestRunDetail] {
        let rows = try read("list ingest runs with their files") { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, f.path, f.content_sha256, f.file_version, f.size_bytes,
                       (SELECT p.size_bytes FROM source_files p WHERE p.family = f.family
                           AND p.path = f.path AND p.file_id < f.file_id ORDER BY p.file_id DESC LIMIT 1) AS previous_size
                FROM ingest_runs r JOIN source_files f ON f.run_id = r.run_id
                ORDER BY r.run_id
                """)
        }
        return try rows.map { row in
            let record = try IngestRunRecord(row: row)
            let versionsText: String = try row.column("definition_versions")
            let versions: [String: Int]
            do {
                versions = try JSONDecoder().decode([String: Int].self, from: Data(versionsText.utf8))
            } catch {
                throw OfflineStoreError.undecodable(what: "the definition versions of ingest run", record: "\(record.runID)", cause: error)
            }
            let size: Int64 = try row.column("size_bytes")
            let previous: Int64? = record.outcome == "appended" ? try row.column("previous_size") : nil
            return IngestRunDetail(run: record, file: try row.column("path"), fileSHA256: row["content_sha256"], fileVersion: try row.column("file_version"),
                                   bytesRead: size - (previous ?? 0), definitionVersions: versions)
        }
    }
}

