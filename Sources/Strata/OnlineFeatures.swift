import Foundation
import Synchronization
public import StrataCore
import StrataOnline
public import StrataOffline

/// One served feature value: the value, its status and the event time of the row it came from.
public struct OnlineFeatureValue: Sendable, Hashable, Encodable {
    public var value: Value
    public var status: FeatureStatus
    public var eventTs: Int64?
    /// The offline row (source row id) the value came from; nil when nothing was found.
    public var lineageID: Int64?

    public init(value: Value, status: FeatureStatus, eventTs: Int64?, lineageID: Int64? = nil) {
        self.value = value
        self.status = status
        self.eventTs = eventTs
        self.lineageID = lineageID
    }
}

/// A frozen, `Sendable` plan for online lookups of a fixed feature list: resolve once, then look up many times.
///
/// ```swift
/// let reader = try store.onlineReader(.service("driver_activity"))
/// let rows = try reader.get([["driver_id": .int(1001)]], at: currentMicros())
/// ```
public struct OnlineFeatureReader: Sendable {
    struct Part: Sendable {
        var handle: OnlineViewHandle
        var layout: OnlineViewLayout { handle.layout }
        var keys: [JoinKey]
        /// (output column, index into the layout's features)
        var columns: [(Int, Int)]
        /// While the view's current database is not live (an `apply` changed the view and the new storage is not
        /// materialized yet): what the previous live database serves instead.
        var pending: PendingStorage<Part>?
    }

    /// A view's requested aggregations, folded from its tile records at request time.
    struct AggregationPart: Sendable {
        var handle: OnlineAggregationHandle
        var keys: [JoinKey]
        var plan: AggregationReadPlan
        /// Per planned aggregation (in plan order), its output column.
        var outputs: [Int]
        var pending: PendingStorage<AggregationPart>?
    }

    let online: OnlineStore
    let parts: [Part]
    let aggregationParts: [AggregationPart]
    /// `view__feature`, in request order.
    public let featureNames: [String]
    /// `view:feature`, in request order.
    public let references: [String]
    /// Every join key any requested view needs.
    public let keyNames: [String]
    /// The type of each join key.
    public let keyTypes: [String: ValueType]
    public let viewVersions: [String: Int]
    /// The service's feature-logging sample rate, when the reader was made for a service that logs.
    public let loggingSampleRate: Double?

    /// Looks up each entity row (join key name → value; a missing key gives `not_found`), applying each view's TTL at `now`.
    ///
    /// Keys are encoded and values decoded in buffers reused across rows, straight into the output: per row the only
    /// allocation left is the output row itself. Measured against raw `mdb_get` on the same keys (benchmarks/online).
    public func get(_ entityRows: [[String: KeyPart]], at now: Int64) throws -> [[OnlineFeatureValue]] {
        let empty = OnlineFeatureValue(value: .null, status: .notFound, eventTs: nil)
        var result = Array(repeating: Array(repeating: empty, count: featureNames.count), count: entityRows.count)
        for current in parts {
            let part = try current.pending?.serving(online) ?? current
            try online.lookup(part.handle, count: entityRows.count) { index, buffer in
                part.encodeKey(entityRows[index], into: &buffer)
            } visit: { index, header, values in
                part.fill(&result[index], header: header, values: values, at: now)
            }
            if part.handle !== current.handle { Self.markNotMaterialized(current.pending?.unserved ?? [], in: &result) }
        }
        for current in aggregationParts {
            let part = try current.pending?.serving(online) ?? current
            if part.handle !== current.handle { Self.markNotMaterialized(current.pending?.unserved ?? [], in: &result) }
            try online.lookupAggregations(part.handle, count: entityRows.count) { index, buffer in
                Part.encodeKey(part.keys, entityRows[index], into: &buffer)
            } visit: { index, record in
                // The same status rule as the offline sweep: `present` when a counted event lies at or before `now`.
                guard let latest = record.latestCounted(at: now) else { return }
                do throws(AggregationDecodingError) {
                    try record.answer(part.plan, at: now) { output, value in
                        result[index][part.outputs[output]] = OnlineFeatureValue(value: value, status: .present, eventTs: latest)
                    }
                } catch {
                    throw OnlineStoreError.corruptValue(view: part.handle.layout.view, reason: error.what)
                }
            }
        }
        return result
    }
}

extension OnlineFeatureReader {
    static func markNotMaterialized(_ columns: [Int], in result: inout [[OnlineFeatureValue]]) {
        guard !columns.isEmpty else { return }
        let pending = OnlineFeatureValue(value: .null, status: .notMaterialized, eventTs: nil)
        for row in result.indices {
            for column in columns { result[row][column] = pending }
        }
    }
}

/// The previous live database of a view whose current one is not live yet, and which requested columns it cannot serve
/// (features it does not hold with the same definition). Once the current database is live it is read instead, for good.
final class PendingStorage<Part: Sendable>: Sendable {
    let currentDatabase: String
    let fallback: Part
    /// Output columns the fallback cannot serve: `not_materialized` until the current database is live.
    let unserved: [Int]
    private let isCurrentLive = Atomic<Bool>(false)

    init(currentDatabase: String, fallback: Part, unserved: [Int]) {
        self.currentDatabase = currentDatabase
        self.fallback = fallback
        self.unserved = unserved
    }

    /// The fallback while the current database is not live; nil once it is (checked with one metadata read per lookup
    /// until then).
    func serving(_ online: OnlineStore) throws -> Part? {
        if isCurrentLive.load(ordering: .acquiring) { return nil }
        guard try online.metadata(FeatureStore.watermarkKey(database: currentDatabase)) == nil else {
            isCurrentLive.store(true, ordering: .releasing)
            return nil
        }
        return fallback
    }
}

extension OnlineFeatureReader.Part {
    /// Writes the view's encoded key tuple for an entity row; false when a key is missing.
    func encodeKey(_ row: [String: KeyPart], into buffer: inout [UInt8]) -> Bool {
        Self.encodeKey(keys, row, into: &buffer)
    }

    static func encodeKey(_ keys: [JoinKey], _ row: [String: KeyPart], into buffer: inout [UInt8]) -> Bool {
        for key in keys {
            guard let value = row[key.name] else { return false }
            OnlineKeyEncoding.append(value, to: &buffer)
        }
        return true
    }

    /// Writes this view's columns of one output row, applying the TTL rule at `now` (SPEC "Online store").
    func fill(_ output: inout [OnlineFeatureValue], header: OnlineRowHeader, values: [Value], at now: Int64) {
        var isExpired = false
        if let ttl = layout.ttlMicros {
            let (lower, overflow) = now.subtractingReportingOverflow(ttl)
            isExpired = !overflow && header.eventTs < lower
        }
        for (column, featureIndex) in columns {
            output[column] = OnlineFeatureValue(value: isExpired ? .null : values[featureIndex].finiteOrNull, status: isExpired ? .expired : .present,
                                                eventTs: header.eventTs, lineageID: header.lineageID)
        }
    }
}

extension FeatureStore {
    /// Appends served rows of a logging service to the feature log, sampled by key hash (all lookups of a sampled key
    /// are kept). Used by in-process lookups; the server buffers and calls `FeatureLogStore.append` off the request path.
    public func logServed(_ reader: OnlineFeatureReader, service: String, rows: [[String: KeyPart]], values: [[OnlineFeatureValue]], at now: Int64) throws {
        guard let rate = reader.loggingSampleRate, rate > 0 else { return }
        try featureLog().append(Self.logRecords(reader, service: service, rows: rows, values: values, at: now, rate: rate))
    }

    /// The sampled log records of one request.
    public static func logRecords(_ reader: OnlineFeatureReader, service: String, rows: [[String: KeyPart]], values: [[OnlineFeatureValue]],
                                  at now: Int64, rate: Double) -> [FeatureLogRecord] {
        let requestID = RequestIDs.next()
        return zip(rows, values).filter { KeySampler.isSampled($0.0, rate: rate) }.map { row, served in
            FeatureLogRecord(requestID: requestID, requestMicros: now, service: service, keys: row, features: reader.references,
                             values: served.map(\.value), statuses: served.map(\.status), eventTimes: served.map(\.eventTs),
                             lineageIDs: served.map(\.lineageID), viewVersions: reader.viewVersions)
        }
    }

    /// Resolves a feature selection against the applied definitions into a reusable reader.
    /// - Throws: `FeatureStoreError.unknownService`, `Diagnostic` for an unknown feature, `.nothingApplied`.
    public func onlineReader(_ selection: FeatureSelection) throws -> OnlineFeatureReader {
        try onlineReader(selection, snapshot: try snapshot())
    }

    /// A reader for the definitions of one registry revision (no I/O).
    package func onlineReader(_ selection: FeatureSelection, snapshot: AppliedSnapshot) throws -> OnlineFeatureReader {
        let applied = snapshot.applied
        let references = try applied.references(for: selection)
        var sampleRate: Double?
        if case .service(let name) = selection { sampleRate = applied.compiled.definitions.service(name)?.loggingSampleRate }
        let resolved = try applied.compiled.resolve(references).get()
        let tables = snapshot.tables
        var parts: [OnlineFeatureReader.Part] = []
        var keyNames: [String] = []
        var versions: [String: Int] = [:]
        var aggregationParts: [OnlineFeatureReader.AggregationPart] = []
        for viewName in orderedUnique(resolved.map(\.view)) {
            guard let spec = tables[viewName] else { continue }
            let requested = resolved.enumerated().filter { $0.element.view == viewName }
            let columns = requested.filter { !$0.element.isAggregation }.map { ($0.offset, $0.element.featureIndex) }
            if !columns.isEmpty {
                parts.append(.init(handle: online.handle(for: snapshot.layouts[viewName] ?? onlineLayout(spec)), keys: spec.view.keys, columns: columns,
                                   pending: try pendingRows(spec, columns: columns)))
            }
            let aggregations = requested.filter(\.element.isAggregation).map { ($0.offset, $0.element.featureIndex) }
            if !aggregations.isEmpty, let layout = aggregationLayout(spec) {
                aggregationParts.append(.init(handle: online.handle(for: layout), keys: spec.view.keys,
                                              plan: AggregationReadPlan(layout: layout, aggregationIndexes: aggregations.map(\.1)),
                                              outputs: aggregations.map(\.0), pending: try pendingTiles(spec, aggregations: aggregations)))
            }
            for key in spec.view.keys where !keyNames.contains(key.name) { keyNames.append(key.name) }
            versions[viewName] = spec.viewVersion
        }
        var keyTypes: [String: ValueType] = [:]
        for key in parts.flatMap(\.keys) + aggregationParts.flatMap(\.keys) { keyTypes[key.name] = key.type }
        return OnlineFeatureReader(online: online, parts: parts, aggregationParts: aggregationParts, featureNames: resolved.map(\.qualifiedName),
                                   references: resolved.map { "\($0.view):\($0.feature)" }, keyNames: keyNames, keyTypes: keyTypes,
                                   viewVersions: versions, loggingSampleRate: sampleRate)
    }
}

extension FeatureStore {
    /// For a view whose current database is not live while an earlier one is: that one, serving the requested features
    /// it holds with the same definition (`StorageIdentity.feature`).
    func pendingRows(_ spec: FeatureTableSpec, columns: [(Int, Int)]) throws -> PendingStorage<OnlineFeatureReader.Part>? {
        let view = spec.view.definition.name
        guard try !isLive(spec.tableName), let served = try servedRows(view), served.database != spec.tableName, served.keys == spec.view.keys,
              try isLive(served.database) else { return nil }
        var mapped: [(Int, Int)] = [], unserved: [Int] = []
        for (output, index) in columns {
            let fingerprint = StorageIdentity.feature(spec.view, spec.view.features[index])
            if let old = served.features.firstIndex(where: { $0.fingerprint == fingerprint }) { mapped.append((output, old)) } else { unserved.append(output) }
        }
        let layout = served.layout(view: view, ttlMicros: spec.view.definition.ttlMicros)
        return PendingStorage(currentDatabase: spec.tableName,
                              fallback: .init(handle: online.handle(for: layout), keys: spec.view.keys, columns: mapped, pending: nil), unserved: unserved)
    }

    /// The same for a view's aggregations.
    func pendingTiles(_ spec: FeatureTableSpec, aggregations: [(output: Int, index: Int)]) throws -> PendingStorage<OnlineFeatureReader.AggregationPart>? {
        let view = spec.view.definition.name
        guard try !isLive(spec.aggregationTilesName), let served = try servedTiles(view), served.database != spec.aggregationTilesName,
              served.keys == spec.view.keys, try isLive(served.database), let layout = served.layout(view: view) else { return nil }
        var outputs: [Int] = [], indexes: [Int] = [], unserved: [Int] = []
        for (output, index) in aggregations {
            let fingerprint = StorageIdentity.aggregation(spec.view, spec.view.aggregations[index])
            if let old = served.fingerprints.firstIndex(of: fingerprint) {
                outputs.append(output)
                indexes.append(old)
            } else {
                unserved.append(output)
            }
        }
        return PendingStorage(currentDatabase: spec.aggregationTilesName,
                              fallback: .init(handle: online.handle(for: layout), keys: spec.view.keys,
                                              plan: AggregationReadPlan(layout: layout, aggregationIndexes: indexes), outputs: outputs, pending: nil),
                              unserved: unserved)
    }
}

extension OnlineFeatureValue {
    enum CodingKeys: String, CodingKey { case value, status, eventTimestamp = "event_timestamp" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch value {
        case .null: try container.encodeNil(forKey: .value)
        case .int(let v): try container.encode(v, forKey: .value)
        case .float(let v): if v.isFinite { try container.encode(v, forKey: .value) } else { try container.encodeNil(forKey: .value) }
        case .string(let s): try container.encode(s, forKey: .value)
        case .bool(let b): try container.encode(b, forKey: .value)
        }
        try container.encode(status.rawValue, forKey: .status)
        try container.encode(eventTs.map(Timestamp.format), forKey: .eventTimestamp)
    }
}

/// Deterministic sampling by key: FNV-1a over the sorted key names and values, so a sampled key is always sampled.
public enum KeySampler {
    public static func isSampled(_ row: [String: KeyPart], rate: Double) -> Bool {
        if rate >= 1 { return true }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) { for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 } }
        for (name, part) in row.sorted(by: { $0.key < $1.key }) {
            mix(name.utf8)
            mix(part.description.utf8)
        }
        return Double(hash >> 11) / Double(UInt64(1) << 53) < rate
    }
}

/// Request ids for the feature log: the process start time and a counter, cheaper than a random UUID per request.
enum RequestIDs {
    static let counter = Atomic<Int>(0)
    static let prefix = String(currentMicros(), radix: 36)

    static func next() -> String {
        "\(prefix)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
    }
}
