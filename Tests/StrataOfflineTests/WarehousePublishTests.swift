// Publishing source rows to the Parquet warehouse the Spark engine reads: incremental, exactly once, after a killed
// run and under concurrent runs. Rows are read back with Strata's own Parquet reader.
import Foundation
import StrataColumnar
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

/// Publishing source rows to the warehouse (no Spark needed): incremental, exactly once, safe against a killed run and
/// against two runs at once.
@Suite struct WarehousePublishTests {
    static let yaml = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: trips.csv
        timestamp: ts
        schema: {driver_id: int64, fare: float64, city: string, ok: bool}
    feature_views:
      - name: trip_stats
        entities: [driver]
        source: trips
        features:
          fare: float64
    """

    func makeStore(_ dir: TemporaryDirectory, rows: Range<Int>) throws -> (OfflineStore, FeatureTableSpec) {
        let project = try CompiledProject.compile([(path: "f.yaml", text: Self.yaml)]).get()
        let view = try #require(project.views["trip_stats"])
        let store = try OfflineStore(path: dir.file("offline.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        try ingest(rows, store: store, view: view, spec: spec, storage: storage, dir: dir)
        return (store, spec)
    }

    func ingest(_ rows: Range<Int>, store: OfflineStore, view: CompiledView, spec: FeatureTableSpec, storage: StoredTable, dir: TemporaryDirectory) throws {
        // Three days of rows, so that every publication spans several day partitions.
        let lines = rows.map { "\($0 % 7),\(Timestamp.format(1_772_366_400_000_000 + Int64($0) * 3_600_000_000)),\(Double($0) / 4),c\($0 % 3),\($0 % 2 == 0)" }
        try dir.write("trips.csv", "driver_id,ts,fare,city,ok\n" + lines.joined(separator: "\n") + "\n")
        _ = try store.ingest(IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["driver_id"], file: dir.file("trips.csv"),
                                           displayPath: "trips.csv", isStrict: true, now: 1_772_366_400_000_000, definitionVersions: [:], views: [spec]))
    }

    /// Every published row id, read back from the Parquet files.
    func publishedRowIDs(_ warehouse: Warehouse, table: String) throws -> [Int64] {
        var ids: [Int64] = []
        let folder = warehouse.folder(forTable: table)
        for day in try FileManager.default.contentsOfDirectory(atPath: folder.path) where day.hasPrefix("event_day=") {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(day).path) where !file.hasPrefix(".") {
                let bytes = try #require(FileManager.default.contents(atPath: folder.appendingPathComponent(day).appendingPathComponent(file).path))
                let reader = try ParquetReader(bytes: [UInt8](bytes))
                let column = try #require(reader.schema.index(of: "strata_row_id"))
                for group in 0..<reader.rowGroupCount {
                    let batch = try reader.readRowGroup(group)
                    for row in 0..<batch.rowCount { if case .int(let id) = batch.columns[column].value(row) { ids.append(id) } }
                }
            }
        }
        return ids.sorted()
    }

    @Test("an appended file publishes only its new rows; a stale file beyond the ledger is replaced, never doubled")
    func incremental() throws {
        let dir = TemporaryDirectory()
        let project = try CompiledProject.compile([(path: "f.yaml", text: Self.yaml)]).get()
        let view = try #require(project.views["trip_stats"])
        let store = try OfflineStore(path: dir.file("offline.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        try ingest(0..<50, store: store, view: view, spec: spec, storage: storage, dir: dir)
        let warehouse = Warehouse(root: dir.url.appendingPathComponent("warehouse"))
        let first = try store.publish(table: spec.sourceTableName, declaredTypes: ["ok": .bool, "city": .string], to: warehouse)
        #expect(first.rowsPublished == 50)
        #expect(first.columns.first { $0.name == "ok" }?.type == "BOOLEAN")
        #expect(try publishedRowIDs(warehouse, table: spec.sourceTableName) == Array(1...50))
        // A killed publication left a file past the ledger (rows 51-60 that it never recorded).
        let stale = warehouse.folder(forTable: spec.sourceTableName).appendingPathComponent("event_day=2026-03-01/rows-51-60.parquet")
        try Data([1, 2, 3]).write(to: stale)
        try ingest(0..<80, store: store, view: view, spec: spec, storage: storage, dir: dir)
        let second = try store.publish(table: spec.sourceTableName, declaredTypes: ["ok": .bool], to: warehouse)
        #expect(second.rowsPublished == 30)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(try publishedRowIDs(warehouse, table: spec.sourceTableName) == Array(1...80))
        #expect(try store.publish(table: spec.sourceTableName, declaredTypes: [:], to: warehouse).rowsPublished == 0)
    }

    @Test("a published file deleted, cut short or added by hand, or an earlier version's ledger: the table is published again whole and says why",
          arguments: ["deleted", "truncated", "added", "stray folder", "old ledger"])
    func damagedCopyIsRepublished(damage: String) throws {
        let dir = TemporaryDirectory()
        let (store, spec) = try makeStore(dir, rows: 0..<100)
        let warehouse = Warehouse(root: dir.url.appendingPathComponent("warehouse"))
        let table = spec.sourceTableName
        let first = try store.publish(table: table, declaredTypes: [:], to: warehouse)
        #expect(first.rowsPublished == 100 && first.republishedBecause == nil)
        let folder = warehouse.folder(forTable: table)
        let day = folder.appendingPathComponent("event_day=2026-03-02")
        let file = day.appendingPathComponent(try #require(try FileManager.default.contentsOfDirectory(atPath: day.path).first { $0.hasPrefix("rows-") }))
        switch damage {
        case "deleted": try FileManager.default.removeItem(at: file)
        case "truncated": try Data(try Data(contentsOf: file).prefix(100)).write(to: file)
        case "added": try FileManager.default.copyItem(at: file, to: day.appendingPathComponent("copy.parquet"))
        case "stray folder": try FileManager.default.createDirectory(at: folder.appendingPathComponent("backup"), withIntermediateDirectories: true)
        default: try Data("100\n".utf8).write(to: folder.appendingPathComponent("_strata_exported"))
        }
        let repaired = try store.publish(table: table, declaredTypes: [:], to: warehouse)
        #expect(repaired.republishedBecause != nil)
        #expect(repaired.rowsPublished == 100)
        #expect(try publishedRowIDs(warehouse, table: table) == Array(1...100))
        let again = try store.publish(table: table, declaredTypes: [:], to: warehouse)
        #expect(again.rowsPublished == 0 && again.republishedBecause == nil, "a repaired copy matches its ledger")
    }

    @Test("a full disk while publishing: a clear error, the ledger and its files as they were; with space again every row is published once",
          .enabled(if: TmpfsMount.isAvailable, "needs root to mount a small tmpfs"))
    func fullDisk() throws {
        let dir = TemporaryDirectory()
        let project = try CompiledProject.compile([(path: "f.yaml", text: Self.yaml)]).get()
        let view = try #require(project.views["trip_stats"])
        let store = try OfflineStore(path: dir.file("offline.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        try ingest(0..<100, store: store, view: view, spec: spec, storage: storage, dir: dir)
        let disk = try TmpfsMount(sizeKiB: 1024)
        let warehouse = Warehouse(root: URL(fileURLWithPath: disk.path).appendingPathComponent("warehouse"))
        let table = spec.sourceTableName
        #expect(try store.publish(table: table, declaredTypes: [:], to: warehouse).rowsPublished == 100)
        try ingest(0..<3_000, store: store, view: view, spec: spec, storage: storage, dir: dir)
        try disk.fill(leaving: 4096)
        do {
            _ = try store.publish(table: table, declaredTypes: [:], to: warehouse)
            Issue.record("publishing to a full disk succeeded")
        } catch let error as SparkError {
            guard case .warehouseUnwritable(let path, let reason) = error else { Issue.record("\(error)"); return }
            #expect(path.hasPrefix(disk.path), "\(path)")
            #expect(reason.lowercased().contains("space"), "\(reason)")
        }
        let ledger = try #require(warehouse.ledger(table: table))
        #expect(ledger.through == 100)
        // Files the failed run renamed into place lie beyond the ledger (removed by the next run); the ledger's own are intact.
        for (file, size) in ledger.files {
            let attributes = try FileManager.default.attributesOfItem(atPath: warehouse.folder(forTable: table).appendingPathComponent(file).path)
            #expect((attributes[.size] as? Int) == size, "\(file)")
        }
        try FileManager.default.removeItem(atPath: disk.path + "/filler")
        let resumed = try store.publish(table: table, declaredTypes: [:], to: warehouse)
        #expect(resumed.rowsPublished == 2_900 && resumed.republishedBecause == nil)
        #expect(try publishedRowIDs(warehouse, table: table) == Array(1...3_000))
    }

    @Test("the ledger reads back what it wrote, and refuses text that is not a ledger")
    func ledgerText() {
        var ledger = WarehouseLedger()
        ledger.through = 250_000
        ledger.files = ["event_day=2026-03-01/rows-1-250000.parquet": 1_843_212, "event_day=2026-03-02/rows-1-250000.parquet": 7]
        #expect(WarehouseLedger(text: ledger.text) == ledger)
        #expect(WarehouseLedger(text: "250000\n") == nil)
        #expect(WarehouseLedger(text: WarehouseLedger.header + "\nthrough x\n") == nil)
        #expect(WarehouseLedger.firstRowID("rows-51-60.parquet") == 51)
        #expect(WarehouseLedger.firstRowID("copy.parquet") == nil)
    }

    @Test("two runs publishing the same table at once publish every row exactly once")
    func concurrent() async throws {
        let dir = TemporaryDirectory()
        let (store, spec) = try makeStore(dir, rows: 0..<2_000)
        let root = dir.url.appendingPathComponent("warehouse")
        let table = spec.sourceTableName
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { try store.publish(table: table, declaredTypes: [:], to: Warehouse(root: root)).rowsPublished }
            }
            var total = 0
            for try await published in group { total += published }
            #expect(total == 2_000)
        }
        #expect(try publishedRowIDs(Warehouse(root: root), table: table) == Array(1...2_000))
    }

    @Test("a job folder left by a killed run is removed after a day; a recent one and other files are kept")
    func abandonedJobs() throws {
        let dir = TemporaryDirectory()
        let runner = try SparkRunner(settings: SparkSettings(warehouse: dir.url.path), projectRoot: dir.url)
        let jobs = dir.url.appendingPathComponent("_strata_jobs")
        let old = jobs.appendingPathComponent(UUID().uuidString), recent = jobs.appendingPathComponent(UUID().uuidString)
        for folder in [old, recent] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data("log".utf8).write(to: jobs.appendingPathComponent("last-failure.log"))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)], ofItemAtPath: old.path)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)],
                                              ofItemAtPath: jobs.appendingPathComponent("last-failure.log").path)
        let fresh = try runner.jobFolder()
        #expect(!FileManager.default.fileExists(atPath: old.path))
        #expect(FileManager.default.fileExists(atPath: recent.path))
        #expect(FileManager.default.fileExists(atPath: fresh.path))
        #expect(FileManager.default.fileExists(atPath: jobs.appendingPathComponent("last-failure.log").path))
    }
}

