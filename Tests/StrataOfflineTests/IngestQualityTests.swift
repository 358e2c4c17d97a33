// Expectations at ingest, through a real SQLite file: row rules quarantining with the expectation as reason, warn
// rules keeping rows, run rules rejecting the whole run (nothing written, the rejection recorded), max_change against
// the previous run, unique on key + event time, and the run's stored profile.
import Foundation
import GRDB
import StrataCore
@testable import StrataOffline
import StrataQuality
import StrataTestSupport
import Testing

@Suite struct IngestQualityTests {
    static func yaml(_ expectations: String) -> String {
        """
        entities:
          - name: driver
            join_keys: {driver_id: int64}
        sources:
          - name: stats
            path: stats.csv
            timestamp: ts
            schema: {driver_id: int64, rate: float64, city: string}
            expectations:
        \(expectations)
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: stats
            features:
              rate: float64
              double_rate: {type: float64, expr: "rate * 2"}
        """
    }

    struct Fixture {
        let dir = TemporaryDirectory()
        let store: OfflineStore
        let view: CompiledView
        let spec: FeatureTableSpec
        let storage: StoredTable

        init(expectations: String) throws {
            store = try OfflineStore(path: dir.file("offline.db").path)
            let project = try CompiledProject.compile([(path: "f.yaml", text: IngestQualityTests.yaml(expectations))]).get()
            view = try #require(project.views["driver_stats"])
            (spec, storage) = try store.standaloneTable(view)
        }

        func ingest(_ rows: [String], file: String = "stats.csv") throws -> IngestReport {
            try dir.write(file, "driver_id,ts,rate,city\n" + rows.map { $0 + "\n" }.joined())
            return try store.ingestRecordingRejection(IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["driver_id"], file: dir.file(file),
                                                                    displayPath: file, isStrict: false, now: 1_800_000_000_000_000,
                                                                    definitionVersions: ["stats": 1], views: [spec]))
        }

        /// Rows of `table`; 0 when the table does not exist (a rolled-back run also rolls back the table it created).
        func count(_ table: String) throws -> Int {
            try DatabaseQueue(path: dir.file("offline.db").path).read { db in
                guard try db.tableExists(table) else { return 0 }
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quoted(table))") ?? 0
            }
        }
    }

    @Test("a row failing a quarantining rule goes to quarantine with the expectation as its reason and its file column")
    func rowRuleQuarantines() throws {
        let fixture = try Fixture(expectations: "      columns: {rate: {between: [0, 1]}}")
        let report = try fixture.ingest(["1,2026-03-01T00:00:00Z,0.5,lagos", "2,2026-03-01T00:00:00Z,1.7,lagos"])
        #expect(report.rowsAccepted == 1 && report.rowsQuarantined == 1 && !report.isRejected)
        let row = try #require(try fixture.store.quarantinedRows().first)
        #expect(row.line == 3 && row.column == 3)
        #expect(row.reason == "column `rate`: `1.7` fails expectation `between [0, 1]`")
        #expect(report.validation.map(\.verdict) == [.quarantine])
        #expect(report.validation.first?.observed == "1 of 2 rows fail")
    }

    @Test("a warn rule keeps failing rows and the run's verdict is warn")
    func warnRuleKeeps() throws {
        let fixture = try Fixture(expectations: "      columns: {city: {in: [lagos], action: warn}}")
        let report = try fixture.ingest(["1,2026-03-01T00:00:00Z,0.5,lagos", "2,2026-03-01T00:00:00Z,0.5,porto"])
        #expect(report.rowsAccepted == 2 && report.rowsQuarantined == 0)
        #expect(report.validation.map(\.verdict) == [.warn])
        let runID = try #require(report.runID)
        let record = try #require(try fixture.store.qualityRun(id: runID))
        #expect(record.verdict == .warn && record.results == report.validation)
    }

    @Test("a failing run rule rejects the run: no rows, no quarantine, no file record; the rejection and its results are stored")
    func runRuleRejects() throws {
        let fixture = try Fixture(expectations: "      run: {null_rate: {rate: 0.2}}")
        let report = try fixture.ingest(["1,2026-03-01T00:00:00Z,,lagos", "2,2026-03-01T00:00:00Z,0.5,lagos", "x,bad,0.5,lagos"])
        #expect(report.isRejected)
        #expect(report.validation.map(\.verdict) == [.reject])
        #expect(report.validation.first?.observed == "0.5 (1 of 2)")
        #expect(try fixture.count(fixture.storage.tableName) == 0)
        #expect(try fixture.count("quarantine") == 0)
        #expect(try fixture.count("source_files") == 0)
        let runID = try #require(report.runID)
        let record = try #require(try fixture.store.qualityRun(id: runID))
        #expect(record.verdict == .reject && record.rowsAccepted == 2)
        #expect(try fixture.store.ingestRuns().first?.outcome == "rejected")
        #expect(try fixture.store.ingestRuns().first?.rowsAccepted == 0)
        // Fixed data is accepted on the next run: the rejected file was not remembered as ingested.
        let fixed = try fixture.ingest(["1,2026-03-01T00:00:00Z,0.4,lagos", "2,2026-03-01T00:00:00Z,0.5,lagos"])
        #expect(!fixed.isRejected && fixed.change == .new && fixed.rowsAccepted == 2)
    }

    @Test("row_count.max_change compares with the previous written run of the source and is skipped without one")
    func maxChange() throws {
        let fixture = try Fixture(expectations: "      run: {row_count: {max_change: 0.5}}")
        let first = try fixture.ingest((1...4).map { "\($0),2026-03-01T00:00:00Z,0.5,lagos" }, file: "a.csv")
        #expect(first.validation.map(\.verdict) == [.skipped])
        let second = try fixture.ingest((1...5).map { "\($0),2026-03-02T00:00:00Z,0.5,lagos" }, file: "b.csv")
        #expect(second.validation.map(\.verdict) == [.pass])
        let third = try fixture.ingest(["1,2026-03-03T00:00:00Z,0.5,lagos"], file: "c.csv")
        #expect(third.isRejected)
        #expect(third.validation.first?.observed == "-0.8 (1 vs 5 rows)")
    }

    @Test("unique counts rows sharing join keys and event time with an earlier row of the run")
    func uniqueKeys() throws {
        let fixture = try Fixture(expectations: "      run: {unique: {on_fail: warn}}")
        let report = try fixture.ingest(["1,2026-03-01T00:00:00Z,0.5,lagos", "1,2026-03-01T00:00:00Z,0.6,lagos",
                                         "1,2026-03-01T01:00:00Z,0.5,lagos", "2,2026-03-01T00:00:00Z,0.5,lagos"])
        #expect(report.validation.first?.observed == "1 duplicate rows")
        #expect(report.validation.first?.verdict == .warn && !report.isRejected)
    }

    @Test("freshness uses the run's ingest time and a mean rule reads the accepted rows")
    func freshnessAndMean() throws {
        let fixture = try Fixture(expectations: "      run: {freshness: {max_age: 1d, on_fail: warn}, mean: {rate: [0.2, 0.4]}}")
        let report = try fixture.ingest(["1,2026-03-01T00:00:00Z,0.25,lagos", "2,2026-03-01T00:00:00Z,0.25,lagos"])
        #expect(report.validation.map(\.verdict) == [.warn, .pass])
        #expect(report.validation.last?.observed == "0.25")
    }

    @Test("the run's profile covers source columns, the event time and every row feature under view:feature")
    func runProfile() throws {
        let fixture = try Fixture(expectations: "      columns: {rate: {between: [0, 1]}}")
        let report = try fixture.ingest(["1,2026-03-01T00:00:00Z,0.5,lagos", "2,2026-03-01T00:00:00Z,,porto", "3,2026-03-01T00:00:00Z,9,porto"])
        let runID = try #require(report.runID)
        let profile = try #require(try fixture.store.runProfile(id: runID))
        #expect(profile.rowCount == 2)
        #expect(profile.columns.map(\.name) == ["driver_id", "rate", "city", "ts", "driver_stats:rate", "driver_stats:double_rate"])
        #expect(profile[column: "driver_stats:double_rate"]?.mean == 1.0)
        #expect(profile[column: "driver_stats:rate"]?.nullCount == 1)
        #expect(profile[column: "city"]?.distinctCount?.value == 2)
    }
}
