import Foundation
import Strata
import StrataCore
import StrataOffline

// The measured work of each benchmark, shared by the benchmark target (mallocs, in process) and StrataMicroCount (the
// instruction count under callgrind, Benchmarks/StrataMicro/Callgrind.swift), so both run the very same code. Everything here goes through public API
// of the root package's `Strata` product and the modules it is built from (StrataCore, StrataOffline), as
// benchmarks/Sources/OnlineBench does; where the path a benchmark is named after is internal, the workload says which
// public entry point stands in for it.

/// One benchmark's work: `prepare` builds the state once (outside any measurement), `run` is one measured iteration.
package struct Workload: Sendable {
    package let name: String
    /// Iterations counted under callgrind (more for cheap iterations, so the count is an average of several).
    package let callgrindIterations: Int
    /// Iterations of the in-process run (mallocs), kept small so the whole suite runs in well under a minute.
    package let maxIterations: Int
    package let prepare: @Sendable (ProjectFixture?) throws -> any WorkloadState
    package let needsStore: Bool
}

package protocol WorkloadState: AnyObject {
    /// One measured iteration; returns something derived from the result so the work cannot be optimized away.
    func run() -> Int
}

/// The example project (`strata init`'s definitions and data) in a temporary folder: applied, ingested and
/// materialized once, as benchmarks/Sources/OnlineBench sets up its store (FeatureStore's plan/apply/ingest/materialize).
package final class ProjectFixture: @unchecked Sendable {
    /// Every lookup and window read happens at this instant: the end of the example data (2026-03-01 … 2026-03-02).
    package static let end: Int64 = try! Timestamp.parse("2026-03-03T00:00:00Z").get()

    package let root: URL
    let store: FeatureStore
    /// Whether this process made the folder (and so removes it); a callgrind child only opens it.
    let owned: Bool

    private init(root: URL, store: FeatureStore, owned: Bool) {
        self.root = root
        self.store = store
        self.owned = owned
    }

    package static func make() throws -> ProjectFixture {
        // A name of fixed length: paths are copied and hashed by the profile workload, so their length shows in its count.
        let unique = String(UInt64(getpid()) << 32 | UInt64(UInt32.random(in: 0...UInt32.max)) | 1 << 63, radix: 16)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-micro-\(unique)")
        for file in ExampleProject.files() {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url)
        }
        let store = try FeatureStore(projectPath: root.path)
        try store.apply(try store.plan(), author: "bench-micro", message: nil)
        _ = try store.ingest(now: end)
        _ = try store.materialize(end: end)
        return ProjectFixture(root: root, store: store, owned: true)
    }

    /// Opens a fixture another process made (the callgrind child opens its parent's).
    package static func open(_ path: String) throws -> ProjectFixture {
        ProjectFixture(root: URL(fileURLWithPath: path), store: try FeatureStore(projectPath: path), owned: false)
    }

    deinit {
        if owned { try? FileManager.default.removeItem(at: root) }
    }
}

/// The example drivers (1001 …): the keys every lookup asks for.
let exampleDrivers: [Int64] = {
    var ids = Set<Int64>()
    for line in ExampleProject.files().first(where: { $0.path.hasSuffix("driver_stats.csv") })!.text.split(separator: "\n").dropFirst() {
        if let id = Int64(line.prefix { $0 != "," }) { ids.insert(id) }
    }
    return ids.sorted()
}()

/// Rows of an example CSV file as the typed rows expressions read (`SourceDefinition.expressionRow`: schema values,
/// then event time, then created time). Setup only: the measured CSV path is `csvProfile`.
func expressionRows(_ source: SourceDefinition, file: String, limit: Int, where keep: ([Value]) -> Bool = { _ in true }) -> [[Value]] {
    let text = ExampleProject.files().first { $0.path.hasSuffix(file) }!.text
    let lines = text.split(separator: "\n")
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    var rows: [[Value]] = []
    for line in lines.dropFirst() where rows.count < limit {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == header.count else { continue }
        func field(_ name: String) -> String? { header.firstIndex(of: name).map { fields[$0] } }
        var values: [Value] = []
        var ok = true
        for column in source.columns {
            guard let text = field(column.name) else { ok = false; break }
            switch column.type {
            case .int64: if let v = Int64(text) { values.append(.int(v)) } else { ok = false }
            case .float64: if let v = Double(text) { values.append(.float(v)) } else { ok = false }
            case .string: values.append(.string(text))
            case .bool: values.append(.bool(text == "true"))
            case .timestamp: if case .success(let t) = Timestamp.parse(text) { values.append(.int(t)) } else { ok = false }
            }
        }
        guard ok, let eventText = field(source.timestamp.column), case .success(let event) = Timestamp.parse(eventText) else { continue }
        var created = event
        if let column = source.created?.column, let text = field(column), case .success(let t) = Timestamp.parse(text) { created = t }
        let row = source.expressionRow(values: values, eventTs: event, createdTs: created)
        if keep(row) { rows.append(row) }
    }
    return rows
}

/// The example definitions compiled in-process (what `strata validate` compiles), no store needed.
func compiledExample() throws -> CompiledProject {
    let files = ExampleProject.files().filter { $0.path.hasSuffix(".yaml") }
    switch CompiledProject.compile(files) {
    case .success(let project): return project
    case .failure(let errors): throw WorkloadError("the example definitions do not compile: \(errors)")
    }
}

package struct WorkloadError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

// MARK: - 1, 2: online lookups

/// `OnlineFeatureReader.get` for the `driver_everything` service (all nine features of `driver_stats`, two of them
/// strings): key encoding, one LMDB read transaction, value decoding and the TTL rule — what `POST /v1/features` and
/// `strata get` call.
final class LookupState: WorkloadState {
    let reader: OnlineFeatureReader
    let rows: [[String: KeyPart]]

    init(_ fixture: ProjectFixture, keys: Int) throws {
        reader = try fixture.store.onlineReader(.service("driver_everything"))
        rows = (0..<keys).map { ["driver_id": .int(exampleDrivers[$0 % exampleDrivers.count])] }
        // Every key must be served from the materialized store, or the benchmark measures the not-found path.
        let values = try reader.get(rows, at: ProjectFixture.end)
        guard values.allSatisfy({ $0.contains { $0.status == .present } }) else {
            throw WorkloadError("some benchmark keys are not materialized: \(values.map { $0.map(\.status.rawValue) })")
        }
    }

    func run() -> Int {
        let values = try! reader.get(rows, at: ProjectFixture.end)
        return values.count &+ values[0].count
    }
}

// MARK: - 3: expression evaluator

/// `ExpressionEvaluator.evaluate` on the four derived features of the example view `driver_stats` (`conv_rate *
/// acc_rate`, `coalesce(rating, 0) >= 4.8`, a three-way `case when` on `avg_daily_trips`, `hour(event_timestamp)`)
/// over 100 example rows: what push (Push.swift) and the ingest quality profile evaluate per row.
final class ExpressionState: WorkloadState {
    let expressions: [TypedExpr]
    let rows: [[Value]]

    init() throws {
        let project = try compiledExample()
        guard let view = project.views["driver_stats"] else { throw WorkloadError("no driver_stats view in the example") }
        expressions = view.features.compactMap { feature in
            if case .column = feature.typed { return nil }
            return feature.typed
        }
        guard expressions.count == 4 else { throw WorkloadError("expected the example's 4 derived features, found \(expressions.count)") }
        rows = expressionRows(view.source, file: "driver_stats.csv", limit: 100)
        guard rows.count == 100 else { throw WorkloadError("expected 100 example rows, parsed \(rows.count)") }
    }

    func run() -> Int {
        var checksum = 0
        for row in rows {
            for expression in expressions {
                if case .null = ExpressionEvaluator.evaluate(expression, row: row) { checksum &+= 1 }
            }
        }
        return checksum
    }
}

// MARK: - 4: CSV decoding

/// CSV decoding of a realistic chunk: 200 rows of the example's `driver_stats.csv` plus its six bad rows (a space
/// for `T`, `high` for a float, a missing key, a short row, `ten` for an int).
///
/// The ingest reader (`CSVReader`, `SourceRecordReader`, `SourceRowDecoder`) is internal to StrataOffline. The closest
/// public path that runs it is `FeatureStore.profile(file:displayPath:source:)` (`strata profile --file`): the same
/// reader and decoder as `ingest`, plus the source's column expectations and the dataset profile per row, and it
/// writes nothing (an ingest would also hash the file and write SQLite rows, which a count benchmark should not).
final class CSVProfileState: WorkloadState {
    let store: FeatureStore
    let file: URL

    init(_ fixture: ProjectFixture) throws {
        store = fixture.store
        let text = ExampleProject.files().first { $0.path.hasSuffix("driver_stats.csv") }!.text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        let chunk = [lines[0]] + lines[1...200] + lines.suffix(6)
        file = fixture.root.appendingPathComponent("chunk-\(getpid()).csv")
        try Data((chunk.joined(separator: "\n") + "\n").utf8).write(to: file)
        let report = try store.profile(file: file, displayPath: "chunk.csv", source: "driver_stats_source", now: ProjectFixture.end)
        guard report.rowsRead == 206, report.rowsBad >= 5 else {
            throw WorkloadError("the chunk did not read as expected: \(report.rowsRead) rows, \(report.rowsBad) bad")
        }
    }

    deinit { try? FileManager.default.removeItem(at: file) }

    func run() -> Int {
        let report = try! store.profile(file: file, displayPath: "chunk.csv", source: "driver_stats_source", now: ProjectFixture.end)
        return report.rowsRead &+ report.rowsBad
    }
}

// MARK: - 5: windowed aggregation fold

/// The windowed-aggregation state update of the example view `driver_trips` (count over 1h and 24h, a filtered sum over
/// 24h, a filtered average over 7d, approx_count_distinct of riders over 7d) for one driver's trips: each event's input
/// and `where` filter (`CompiledAggregation.input(from:)`), folded into its tile's partial (`AggregationKernel.insert`),
/// then every window read at the end (`AggregationFold.value(at:tiles:events:)`: tile merge and finalize) — the steps
/// materialize and push take per event and a lookup takes per window, through their public pieces.
final class AggregationState: WorkloadState {
    let aggregations: [CompiledAggregation]
    /// (event order, expression row), in event order.
    let events: [(EventOrder, [Value])]

    init() throws {
        let project = try compiledExample()
        guard let view = project.views["driver_trips"] else { throw WorkloadError("no driver_trips view in the example") }
        aggregations = view.aggregations
        guard aggregations.count == 5 else { throw WorkloadError("expected the example's 5 aggregations, found \(aggregations.count)") }
        let source = view.source
        guard let driverColumn = source.columns.firstIndex(where: { $0.name == "driver_id" }) else { throw WorkloadError("trips have no driver_id") }
        let rows = expressionRows(source, file: "trips.csv", limit: .max) { $0[driverColumn] == .int(exampleDrivers[0]) }
        let eventIndex = source.columns.count
        events = rows.enumerated().map { index, row -> (EventOrder, [Value]) in
            guard case .int(let event) = row[eventIndex], case .int(let created) = row[eventIndex + 1] else { preconditionFailure("times are ints") }
            return (EventOrder(eventTs: event, createdTs: created, ingestSeq: Int64(index)), row)
        }.sorted { $0.0 < $1.0 }
        guard events.count >= 20 else { throw WorkloadError("expected the first driver's trips, found \(events.count)") }
    }

    func run() -> Int {
        var checksum = 0
        for aggregation in aggregations {
            let fold = aggregation.fold
            var tiles: [Int64: AggregatePartial] = [:]
            for (order, row) in events {
                guard let input = aggregation.input(from: row) else { continue }
                fold.kernel.insert(&tiles[fold.window.tile(of: order.eventTs), default: AggregatePartial()], input, at: order)
            }
            let partials = tiles.map { TilePartial(tile: $0.key, partial: $0.value) }
            if case .null = fold.value(at: ProjectFixture.end, tiles: partials, events: []) { checksum &+= 1 }
        }
        return checksum
    }
}

// MARK: - 6: JSON response writing

/// The `POST /v1/features` response for a 100-key lookup result (`driver_everything`, nine features): feature names,
/// the request time, and per row the entity, values, statuses and event times.
///
/// The server's `JSONWriter` is internal to StrataServer, which no library product exposes. `ResponseWriter` below
/// mirrors it and `nativeFeatures` (Sources/StrataServer/Routes+Online.swift) call for call, on the public pieces the
/// server's writer is made of: `JSONText.appendString` for every string and `Timestamp.format` for every time (and the
/// same digit writer as `FlatJSON.appendDecimal`, which is `package`). A regression in those shows here; one in
/// JSONWriter's own few lines does not.
final class JSONResponseState: WorkloadState {
    let references: [String]
    let rows: [[String: KeyPart]]
    let values: [[OnlineFeatureValue]]

    init(_ fixture: ProjectFixture) throws {
        let reader = try fixture.store.onlineReader(.service("driver_everything"))
        references = reader.references
        rows = (0..<100).map { ["driver_id": .int(exampleDrivers[$0 % exampleDrivers.count])] }
        values = try reader.get(rows, at: ProjectFixture.end)
    }

    func run() -> Int {
        var json = ResponseWriter()
        json.object { o in
            o.key("features"); o.array { a in for reference in references { a.string(reference) } }
            o.key("at"); o.string(Timestamp.format(ProjectFixture.end))
            o.key("rows")
            o.array { a in
                for (entity, row) in zip(rows, values) {
                    a.object { r in
                        r.key("entity")
                        r.object { e in
                            for (name, part) in entity.sorted(by: { $0.key < $1.key }) {
                                e.key(name)
                                switch part {
                                case .int(let v): e.int(v)
                                case .string(let s): e.string(s)
                                }
                            }
                        }
                        r.key("values"); r.array { v in for value in row { v.value(value.value) } }
                        r.key("statuses"); r.array { v in for value in row { v.string(value.status.rawValue) } }
                        r.key("event_timestamps"); r.array { v in for value in row { if let t = value.eventTs { v.string(Timestamp.format(t)) } else { v.null() } } }
                    }
                }
            }
        }
        return json.bytes.count
    }
}

/// A copy of StrataServer's `JSONWriter` (internal there) without the HTTP response: bytes appended directly.
struct ResponseWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    init() { bytes.reserveCapacity(512) }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    mutating func object(_ body: (inout ResponseWriter) -> Void) {
        separator()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func array(_ body: (inout ResponseWriter) -> Void) {
        separator()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func key(_ name: String) {
        separator()
        JSONText.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    mutating func string(_ text: String) {
        separator()
        JSONText.appendString(text, to: &bytes)
    }

    mutating func raw(_ text: String) {
        separator()
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func null() { raw("null") }
    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    /// FlatJSON.appendDecimal's digits (that function is `package`).
    mutating func int(_ value: Int64) {
        separator()
        if value < 0 { bytes.append(45) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var count = 0
            repeat {
                buffer[count] = 48 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    mutating func double(_ value: Double) {
        value.isFinite ? raw(String(value)) : null()
    }

    mutating func value(_ value: Value) {
        switch value {
        case .null: null()
        case .int(let v): int(v)
        case .float(let v): double(v)
        case .string(let s): string(s)
        case .bool(let b): bool(b)
        }
    }
}

// MARK: - The suite

package let workloads: [Workload] = [
    Workload(name: "lookup.single", callgrindIterations: 200, maxIterations: 2_000,
             prepare: { try LookupState($0!, keys: 1) }, needsStore: true),
    Workload(name: "lookup.batch100", callgrindIterations: 50, maxIterations: 1_000,
             prepare: { try LookupState($0!, keys: 100) }, needsStore: true),
    Workload(name: "expression.driver_stats", callgrindIterations: 50, maxIterations: 1_000,
             prepare: { _ in try ExpressionState() }, needsStore: false),
    Workload(name: "csv.profile206", callgrindIterations: 5, maxIterations: 200,
             prepare: { try CSVProfileState($0!) }, needsStore: true),
    Workload(name: "aggregation.driver_trips", callgrindIterations: 50, maxIterations: 1_000,
             prepare: { _ in try AggregationState() }, needsStore: false),
    Workload(name: "json.response100", callgrindIterations: 20, maxIterations: 1_000,
             prepare: { try JSONResponseState($0!) }, needsStore: true),
]
