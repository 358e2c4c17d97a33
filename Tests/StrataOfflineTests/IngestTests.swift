// Ingest into a real SQLite file: every quarantine reason with its line and column, strict mode writing nothing,
// unchanged/appended/changed files, JSON Lines, and a bad header failing the run before anything is written.
import Foundation
import GRDB
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite struct IngestTests {
    static let yaml = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: stats
        path: stats.csv
        timestamp: ts
        schema: {driver_id: int64, rate: float64, city: string, active: bool}
    feature_views:
      - name: driver_stats
        entities: [driver]
        source: stats
        features:
          rate: float64
    """

    struct Fixture {
        let dir = TemporaryDirectory()
        let store: OfflineStore
        let view: CompiledView
        let spec: FeatureTableSpec
        let storage: StoredTable

        init(yaml: String = IngestTests.yaml) throws {
            store = try OfflineStore(path: dir.file("offline.db").path)
            let project = try CompiledProject.compile([(path: "f.yaml", text: yaml)]).get()
            view = try #require(project.views["driver_stats"])
            (spec, storage) = try store.standaloneTable(view)
        }

        func ingest(_ text: String? = nil, file: String = "stats.csv", strict: Bool = false) throws -> IngestReport {
            if let text { try dir.write(file, text) }
            return try store.ingest(IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["driver_id"], file: dir.file(file),
                                                  displayPath: file, isStrict: strict, now: 1_000_000, definitionVersions: ["stats": 1], views: [spec]))
        }

        func count(_ table: String) throws -> Int {
            try DatabaseQueue(path: dir.file("offline.db").path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(quoted(table))") ?? 0 }
        }
    }

    static let header = "driver_id,ts,rate,city,active\n"

    @Test("each bad row is quarantined with its line, column and reason; good rows are kept", arguments: [
        ("1,2026-03-01T25:00:00Z,0.5,Lisbon,true", 2, 2, "is not an RFC 3339 timestamp"),
        ("1,2026-03-01T12:00:00,0.5,Lisbon,true", 2, 2, "has no time zone"),
        ("1,2026-03-01T12:00:00Z,high,Lisbon,true", 2, 3, "`high` is not a float64"),
        ("1,2026-03-01T12:00:00Z,nan,Lisbon,true", 2, 3, "`nan` is not a float64"),
        (",2026-03-01T12:00:00Z,0.5,Lisbon,true", 2, 1, "the join key is missing"),
        ("x1,2026-03-01T12:00:00Z,0.5,Lisbon,true", 2, 1, "`x1` is not an int64"),
        ("1,2026-03-01T12:00:00Z,0.5", 2, nil, "has 3 fields, the header has 5"),
        ("1,2026-03-01T12:00:00Z,0.5,Lis\u{FFFD}bon,maybe", 2, 5, "`maybe` is not a bool"),
        ("1,2026-03-01T12:00:00Z,0.5,\"Lis\"bon,true", 2, nil, "malformed CSV"),
    ] as [(String, Int, Int?, String)])
    func quarantineReasons(row: String, line: Int, column: Int?, reason: String) throws {
        let f = try Fixture()
        let report = try f.ingest(Self.header + row + "\n2,2026-03-01T12:00:00Z,0.25,Porto,false\n")
        #expect(report.rowsRead == 2)
        #expect(report.rowsAccepted == 1)
        #expect(report.rowsQuarantined == 1)
        let q = try #require(try f.store.quarantinedRows().first)
        #expect(q.line == line)
        #expect(q.column == column)
        #expect(q.reason.contains(reason), "\(q.reason)")
        #expect(q.raw == row)
        #expect(try f.count(f.spec.tableName) == 1)
    }

    @Test("invalid UTF-8 in a string field is quarantined with that reason")
    func invalidUTF8() throws {
        let f = try Fixture()
        var bytes = Array((Self.header + "1,2026-03-01T12:00:00Z,0.5,").utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(",true\n".utf8)
        try Data(bytes).write(to: f.dir.file("stats.csv"))
        let report = try f.ingest()
        #expect(report.rowsQuarantined == 1)
        #expect(try f.store.quarantinedRows().first?.reason == "column `city`: is not valid UTF-8")
    }

    @Test("--strict fails on the first bad row and writes nothing")
    func strictWritesNothing() throws {
        let f = try Fixture()
        let text = Self.header + "1,2026-03-01T12:00:00Z,0.5,Lisbon,true\n2,2026-03-01T12:00:00Z,oops,Porto,true\n"
        do {
            _ = try f.ingest(text, strict: true)
            Issue.record("strict ingest succeeded")
        } catch let error as OfflineStoreError {
            #expect(error.description.contains("stats.csv:3:3"))
            #expect(error.description.contains("`oops` is not a float64"))
        }
        #expect(try f.store.ingestRuns().isEmpty)
        #expect(try f.store.quarantinedRows().isEmpty)
    }

    @Test("a header missing a schema column fails the run with a clear message and writes nothing")
    func badHeader() throws {
        let f = try Fixture()
        do {
            _ = try f.ingest("driver_id,ts,rate\n1,2026-03-01T12:00:00Z,0.5\n")
            Issue.record("ingest succeeded")
        } catch let error as OfflineStoreError {
            #expect(error.what == "source `stats`: the header lacks columns `city`, `active` (found: driver_id, ts, rate)")
        }
        #expect(try f.store.ingestRuns().isEmpty)
    }

    @Test("a missing file fails with the path and a fix")
    func missingFile() throws {
        let f = try Fixture()
        #expect(throws: OfflineStoreError.self) { try f.ingest(file: "nope.csv") }
    }

    @Test("unchanged files are a no-op, appended files ingest only new records, changed files are a new version")
    func fileChanges() throws {
        let f = try Fixture()
        let first = Self.header + "1,2026-03-01T12:00:00Z,0.5,Lisbon,true\n"
        #expect(try f.ingest(first).change == .new)
        let again = try f.ingest()
        #expect(again.change == .unchanged)
        #expect(again.rowsRead == 0)
        let appended = try f.ingest(first + "2,2026-03-01T12:00:00Z,0.25,Porto,false\n")
        #expect(appended.change == .appended)
        #expect(appended.rowsRead == 1)
        #expect(try f.count(f.storage.tableName) == 2)
        let changed = try f.ingest(Self.header + "1,2026-03-01T12:00:00Z,0.75,Lisbon,true\n")
        #expect(changed.change == .changed)
        #expect(changed.fileVersion == 2)
        #expect(try f.count(f.storage.tableName) == 3)
        #expect(try f.count(f.spec.tableName) == 3)
    }

    @Test("appended rows keep their true line numbers in lineage and quarantine")
    func appendedLineNumbers() throws {
        let f = try Fixture()
        let first = Self.header + "1,2026-03-01T12:00:00Z,0.5,Lisbon,true\n"
        _ = try f.ingest(first)
        _ = try f.ingest(first + "2,2026-03-01T12:00:00Z,0.25,Porto,false\n3,bad,0.1,Porto,false\n")
        #expect(try f.store.quarantinedRows().first?.line == 4)
        let lines = try DatabaseQueue(path: f.dir.file("offline.db").path).read { try Int.fetchAll($0, sql: "SELECT strata_line FROM \(quoted(f.storage.tableName)) ORDER BY 1") }
        #expect(lines == [2, 3])
    }

    @Test("quoted fields, escaped quotes, CRLF and a BOM are read correctly")
    func csvDialect() throws {
        let f = try Fixture()
        let text = "\u{FEFF}driver_id,ts,rate,city,active\r\n1,2026-03-01T12:00:00Z,0.5,\"São \"\"Paulo\"\", BR\",true\r\n2,2026-03-01T12:00:00Z,0.5,\"two\nlines\",false\r\n"
        let report = try f.ingest(text)
        #expect(report.rowsAccepted == 2)
        let cities = try DatabaseQueue(path: f.dir.file("offline.db").path).read { try String.fetchAll($0, sql: "SELECT city FROM \(quoted(f.storage.tableName)) ORDER BY 1") }
        #expect(cities == ["São \"Paulo\", BR", "two\nlines"])
    }

    @Test("JSON Lines sources ingest typed fields and quarantine bad lines")
    func jsonLines() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "path: stats.csv", with: "path: stats.jsonl")
        let f = try Fixture(yaml: yaml)
        let text = """
        {"driver_id": 1, "ts": "2026-03-01T12:00:00+01:00", "rate": 0.5, "city": "Lisbon", "active": true}
        {"driver_id": 2, "ts": "2026-03-01T12:00:00Z", "rate": "x"}
        not json
        {"driver_id": 3, "ts": "2026-03-01T12:00:00Z", "rate": 2}

        """
        let report = try f.ingest(text, file: "stats.jsonl")
        #expect(report.rowsAccepted == 2)
        #expect(report.rowsQuarantined == 2)
        let reasons = try f.store.quarantinedRows().map { "\($0.line): \($0.reason)" }
        #expect(reasons.contains { $0.hasPrefix("2: field `rate`") })
        #expect(reasons.contains("3: is not a JSON object on one line"))
    }
}
