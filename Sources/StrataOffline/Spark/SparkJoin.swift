import Dispatch
import Foundation
public import StrataCore
import StrataColumnar

/// One view's point-in-time join as the driver runs it (see `SparkDriverScript.joinView`).
struct SparkJoinView: Encodable, Sendable {
    var name: String
    /// The source storage's warehouse folder.
    var source: String
    var hasRows: Bool
    var sourceColumns: [WarehouseColumn]
    /// Candidate rows: `k0…`, `e`, `c`, `s`, `l`, `at` (the instant the row becomes eligible) and `v0…`.
    var featuresSQL: String
    var args: [SparkArgument]
    var keyCount: Int
    var featureCount: Int
    /// Spine rows with a full key: `r` (spine row), `k0…`, `t`.
    var spine: String
    var ttl: Int64?
    /// Below this spine time `t - ttl` overflows, and nothing expires (the Swift sweep's rule).
    var ttlFloor: Int64?
    var out: String

    enum CodingKeys: String, CodingKey {
        case name, source, args, spine, ttl, out
        case hasRows = "has_rows", sourceColumns = "source_columns", featuresSQL = "features_sql", keyCount = "key_count"
        case featureCount = "feature_count", ttlFloor = "ttl_floor"
    }
}

struct SparkJoinJob: Encodable, Sendable {
    var command = "join"
    var app: String
    var master: String
    var conf: [String: String]
    var views: [SparkJoinView]
}

/// A view's share of a training set, for the Spark engine.
public struct SparkJoinPart: Sendable {
    public var spec: FeatureTableSpec
    public var keys: [KeyTuple?]
    public var featureIndexes: [Int]
    public var options: JoinOptions

    public init(spec: FeatureTableSpec, keys: [KeyTuple?], featureIndexes: [Int], options: JoinOptions) {
        self.spec = spec
        self.keys = keys
        self.featureIndexes = featureIndexes
        self.options = options
    }
}

extension SparkRunner {
    /// The point-in-time join of every part on Spark, in one session: publishes the source rows the warehouse lacks,
    /// hands Spark the spine, and reads its answer into the same `ViewJoinResult`s the SQLite engine gives.
    /// - Throws: `SparkError` (the job, the warehouse, the answer), `OfflineStoreError` reading the source tables.
    /// - Parameter warn: told when a table's warehouse copy no longer matched its ledger and was published again whole.
    public func join(_ parts: [SparkJoinPart], times: [Int64], store: OfflineStore, progress: ((String) -> Void)? = nil,
                     warn: ((String) -> Void)? = nil) throws -> [ViewJoinResult] {
        // A source with nothing stored has no table to publish: every spine row is not_found, as on SQLite, and Spark
        // is not started for it.
        let sent = parts.indices.filter { !parts[$0].spec.sourceTableName.isEmpty }
        var results = parts.map { ViewJoinResult(rows: times.count, features: $0.featureIndexes.count) }
        guard !sent.isEmpty else { return results }
        for (index, result) in zip(sent, try joinOnSpark(sent.map { parts[$0] }, times: times, store: store, progress: progress, warn: warn)) {
            results[index] = result
        }
        return results
    }

    func joinOnSpark(_ parts: [SparkJoinPart], times: [Int64], store: OfflineStore, progress: ((String) -> Void)?,
                     warn: ((String) -> Void)?) throws -> [ViewJoinResult] {
        let folder = try jobFolder(warn: warn)
        defer { finish(folder) }
        var views: [SparkJoinView] = []
        var published: [String: WarehousePublication] = [:]
        for (index, part) in parts.enumerated() {
            let table = part.spec.sourceTableName
            if published[table] == nil {
                let started = DispatchTime.now().uptimeNanoseconds
                let declared = Dictionary(part.spec.view.source.columns.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
                let publication = try store.publish(table: table, declaredTypes: declared, to: warehouse)
                published[table] = publication
                if let reason = publication.republishedBecause {
                    warn?("the warehouse copy of source `\(part.spec.view.source.name)` did not match its ledger (\(reason)): published again whole "
                          + "from the offline store, \(publication.rowsPublished) rows")
                }
                progress?("published \(publication.rowsPublished) new rows of \(part.spec.view.source.name) to the warehouse in \(Self.seconds(since: started))")
            }
            let publication = published[table] ?? WarehousePublication(table: table, columns: [], rowsPublished: 0, publishedThrough: 0, hasRows: false)
            let spinePath = folder.appendingPathComponent("spine-\(index).parquet")
            try writeSpine(part, times: times, to: spinePath)
            views.append(Self.joinView(part, publication: publication, folder: warehouse.folder(forTable: table),
                                       times: times, spine: spinePath, out: folder.appendingPathComponent("answer-\(index)")))
        }
        let job = SparkJoinJob(app: "strata historical", master: settings.master, conf: settings.conf, views: views)
        let started = DispatchTime.now().uptimeNanoseconds
        try run(job, command: "point-in-time join", in: folder, progress: progress)
        progress?("Spark job finished in \(Self.seconds(since: started))")
        let reading = DispatchTime.now().uptimeNanoseconds
        let results = try parts.enumerated().map { index, part in
            try readAnswer(folder.appendingPathComponent("answer-\(index)"), part: part, rows: times.count)
        }
        progress?("read Spark's answer (\(times.count) spine rows × \(parts.count) views) in \(Self.seconds(since: reading))")
        return results
    }

    static func seconds(since start: UInt64) -> String {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return "\((elapsed * 100).rounded() / 100) s"
    }

    /// Compiles one view's candidate query: the requested features lowered to Spark SQL over the source rows, each
    /// row's eligibility instant for the corrections mode, and the filters (ingest watermark, as-of, day partitions).
    static func joinView(_ part: SparkJoinPart, publication: WarehousePublication, folder: URL, times: [Int64], spine: URL, out: URL) -> SparkJoinView {
        let view = part.spec.view
        let source = view.source
        let timestampColumn = source.timestamp.column, createdColumn = source.created?.column
        var renderer = ExpressionSparkSQL(prefix: "p") { name in
            if name == timestampColumn { return "`strata_event_ts`" }
            if name == createdColumn { return "`strata_created_ts`" }
            return ExpressionSparkSQL.quoted(name)
        }
        var select = view.keys.enumerated().map { "\(ExpressionSparkSQL.quoted($0.element.name)) AS k\($0.offset)" }
        select += ["`strata_event_ts` AS e", "`strata_created_ts` AS c", "`strata_row_id` AS s", "`strata_row_id` AS l"]
        let shift = part.options.isStrict ? " + 1L" : ""
        switch part.options.corrections {
        case .known: select.append("greatest(`strata_event_ts`\(shift), `strata_created_ts`) AS at")
        case .latest, .asOf: select.append("(`strata_event_ts`\(shift)) AS at")
        }
        for (i, index) in part.featureIndexes.enumerated() {
            select.append("\(renderer.lower(view.features[index].typed)) AS v\(i)")
        }
        var filters: [String] = []
        var extra: [SparkArgument] = []
        if let maxSeq = part.options.maxIngestSeq {
            filters.append("`strata_row_id` <= CAST(:w_seq AS BIGINT)")
            extra.append(SparkArgument(name: "w_seq", value: SparkLiteral(.int(maxSeq))))
        }
        if case .asOf(let limit) = part.options.corrections {
            filters.append("`strata_created_ts` <= CAST(:w_asof AS BIGINT)")
            extra.append(SparkArgument(name: "w_asof", value: SparkLiteral(.int(limit))))
        }
        let ttl = view.definition.ttlMicros
        // Day partitions: nothing after the last spine instant's day can be a candidate. Older days are read even with a
        // TTL: a row older than the TTL is what makes the answer `expired` rather than `not_found`.
        if let latest = times.max() {
            filters.append("event_day <= :w_last_day")
            extra.append(SparkArgument(name: "w_last_day", value: SparkLiteral(.string(Warehouse.day(min(latest, Timestamp.maxMicros))))))
        }
        var sql = "SELECT \(select.joined(separator: ", ")) FROM \(renderer.relation(over: "strata_source"))"
        if !filters.isEmpty { sql += " WHERE " + filters.joined(separator: " AND ") }
        let args = renderer.namedArguments.map { SparkArgument(name: $0.name, value: SparkLiteral($0.value)) } + extra
        return SparkJoinView(name: view.definition.name, source: folder.path, hasRows: publication.hasRows, sourceColumns: publication.columns,
                             featuresSQL: sql, args: args, keyCount: view.keys.count, featureCount: part.featureIndexes.count,
                             spine: spine.path, ttl: ttl, ttlFloor: ttl.map { Int64.min + $0 }, out: out.path)
    }

    /// The spine rows with a full key tuple, as Parquet: `r`, `k0…`, `t`.
    func writeSpine(_ part: SparkJoinPart, times: [Int64], to url: URL) throws {
        let keys = part.spec.view.keys
        var rows = ColumnarColumnBuilder(type: .int64), instants = ColumnarColumnBuilder(type: .int64)
        var keyColumns = keys.map { ColumnarColumnBuilder(type: $0.type == .string ? .string : .int64) }
        for (row, key) in part.keys.enumerated() {
            guard let key else { continue }
            try rows.append(.int(Int64(row)))
            try instants.append(.int(times[row]))
            for (i, value) in key.parts.enumerated() {
                switch value {
                case .int(let v): try keyColumns[i].append(.int(v))
                case .string(let s): try keyColumns[i].append(.string(s))
                }
            }
        }
        let fields = [ColumnarField(name: "r", type: .int64)] + keys.enumerated().map { ColumnarField(name: "k\($0.offset)", type: $0.element.type == .string ? .string : .int64) }
            + [ColumnarField(name: "t", type: .int64)]
        let columns = [rows.finish()] + keyColumns.indices.map { keyColumns[$0].finish() } + [instants.finish()]
        var writer = try ParquetWriter(schema: ColumnarSchema(fields))
        var bytes = try writer.write(ColumnarBatch(rowCount: columns[0].count, columns: columns))
        bytes += try writer.finish()
        try OfflineStore.writeAtomically(bytes, to: url)
    }

    /// Reads Spark's answer (Parquet parts, each row naming its spine row `r`) into a `ViewJoinResult`; every spine row
    /// with a key must be answered exactly once.
    func readAnswer(_ folder: URL, part: SparkJoinPart, rows: Int) throws -> ViewJoinResult {
        var result = ViewJoinResult(rows: rows, features: part.featureIndexes.count)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("_SUCCESS").path) else {
            throw SparkError.badAnswer(path: folder.path, problem: "the job did not mark its answer complete (_SUCCESS is missing)")
        }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("part-") && $0.hasSuffix(".parquet") }.sorted()
        } catch {
            throw SparkError.badAnswer(path: folder.path, problem: "cannot list the answer's files: \(error.localizedDescription)")
        }
        let types = part.featureIndexes.map { part.spec.view.features[$0].definition.type }
        var answered = [Bool](repeating: false, count: rows)
        for file in files {
            let path = folder.appendingPathComponent(file).path
            guard let data = FileManager.default.contents(atPath: path) else { throw SparkError.badAnswer(path: path, problem: "unreadable") }
            let reader = try ParquetReader(bytes: [UInt8](data))
            func index(_ name: String) throws -> Int {
                guard let i = reader.schema.index(of: name) else { throw SparkError.badAnswer(path: path, problem: "no column `\(name)`") }
                return i
            }
            let r = try index("r"), status = try index("status"), e = try index("e"), c = try index("c"), l = try index("l")
            let values = try types.indices.map { try index("v\($0)") }
            for group in 0..<reader.rowGroupCount {
                let batch = try reader.readRowGroup(group)
                for row in 0..<batch.rowCount {
                    guard case .int(let spineRow) = batch.columns[r].value(row), spineRow >= 0, spineRow < rows else {
                        throw SparkError.badAnswer(path: path, problem: "row \(row) names no spine row")
                    }
                    let at = Int(spineRow)
                    guard !answered[at] else { throw SparkError.badAnswer(path: path, problem: "spine row \(at) is answered twice") }
                    answered[at] = true
                    switch batch.columns[status].value(row) {
                    case .int(0):
                        result.statuses[at] = .present
                        result.eventTimes[at] = Self.int(batch.columns[e].value(row))
                        result.createdTimes[at] = Self.int(batch.columns[c].value(row))
                        result.lineageIDs[at] = Self.int(batch.columns[l].value(row))
                        for (j, column) in values.enumerated() { result.values[j][at] = Self.typed(batch.columns[column].value(row), types[j]) }
                    case .int(2): result.statuses[at] = .expired
                    default: result.statuses[at] = .notFound
                    }
                }
            }
        }
        let expected = part.keys.count { $0 != nil }, got = answered.count { $0 }
        guard got == expected else {
            throw SparkError.badAnswer(path: folder.path, problem: "\(got) of the \(expected) spine rows with a key are answered")
        }
        return result
    }

    static func int(_ value: Value) -> Int64? {
        if case .int(let v) = value { return v }
        return nil
    }

    /// A value of Spark's answer as the feature's type (Spark's BOOLEAN and BIGINT arrive typed already).
    static func typed(_ value: Value, _ type: ValueType) -> Value {
        switch (value, type) {
        case (.int(let v), .float64): return .float(Double(v))
        case (.int(let v), .bool): return .bool(v != 0)
        case (.float(let v), _) where !v.isFinite: return .null
        default: return value
        }
    }
}
