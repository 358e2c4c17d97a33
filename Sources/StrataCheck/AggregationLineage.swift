import Foundation
public import Strata
public import StrataCore
import StrataOffline

/// Where one windowed aggregate came from: its definition version, its window at the instant, the value the training
/// set and the online store give, and the events it folds (count, then a page of them with file:line).
public struct AggregationLineage: Sendable, Codable {
    /// One contributing event: a source row (or the counted version of an event with an `id`).
    public struct Event: Sendable, Codable {
        public var eventTs: String
        public var createdTs: String
        /// The aggregated input (empty for a count of rows).
        public var input: String
        public var rowID: Int64
        public var file: String?
        public var line: Int?
        public var ingestRun: Int64?
    }

    public var view: String
    public var viewVersion: Int
    public var feature: String
    public var function: String
    public var column: String?
    public var filter: String?
    public var window: String
    public var hop: String
    public var keys: String
    public var at: String
    /// The window's bounds at `at`: events with `windowLower < event_ts <= at` count.
    public var windowLower: String
    public var status: String
    public var value: String
    /// What the online store serves for the key at `at`.
    public var onlineStatus: String
    public var onlineValue: String
    /// Every contributing event (the page below is a slice of them, in event order).
    public var eventCount: Int
    public var offset: Int
    public var events: [Event]
}

extension LineageTracer {
    /// Traces aggregation `feature` of `view` for `keys` at `at`: the training-set value in `known` mode, the online
    /// value, and the events in its window that it folds — the visible versions that count at `at`, in event order,
    /// with `lower < event_ts <= at`, whose `where` holds and whose input is not null — paged by `offset` and `limit`.
    public static func traceAggregation(_ store: FeatureStore, view: String, keys: [String: KeyPart], at: Int64, feature: String,
                                        offset: Int = 0, limit: Int = 50) throws -> AggregationLineage {
        let tables = try store.featureTables()
        guard let spec = tables[view] else { throw FeatureStoreError.unknownView(view, suggestion: nearMiss(view, in: tables.keys)) }
        let name = feature.split(separator: ":").last.map(String.init) ?? feature
        guard let index = spec.view.aggregations.firstIndex(where: { $0.definition.name == name }) else {
            let known = spec.view.aggregations.map(\.definition.name)
            throw Diagnostic("feature view `\(view)` has no aggregation `\(name)`" + (nearMiss(name, in: known).map { "; did you mean `\($0)`?" } ?? ""), at: nil,
                             fix: known.isEmpty ? "pick a view with `aggregations:`" : "pass one of: \(known.joined(separator: ", "))")
        }
        var parts: [KeyPart] = []
        for key in spec.view.keys {
            guard let part = keys[key.name] else { throw FeatureStoreError.badFeatureList("missing key `\(key.name)`") }
            parts.append(part)
        }
        let tuple = KeyTuple(parts)
        let aggregation = spec.view.aggregations[index]
        let offline = try store.offlineAggregate(keys: [tuple], times: [at], table: spec, aggregationIndexes: [index], options: JoinOptions(corrections: .known))
        let online = try store.onlineReader(.references([FeatureReference(view: view, feature: name)])).get([keys], at: at)[0][0]

        // The contributing versions, exactly as the sweep selects them.
        let columns = AggregationInputs(spec.view.aggregations)
        let slot = columns.slots[index]
        let events = try store.aggregationEvents(spec, keys: [tuple])[tuple] ?? AggregationEvents(inputColumns: columns.inputs.count, filterColumns: columns.filters.count)
        let spans = EventActivity.spans(orders: events.orders, ids: events.ids.isEmpty ? nil : events.ids, visibility: .known, maxIngestSeq: nil)
        let lower = aggregation.window.lowerBound(at: at)
        let contributing = events.orders.indices.filter { i in
            let input = slot.input.map { events.inputs[$0][i] } ?? .null
            return spans.from[i] <= at && at < spans.until[i] && aggregation.window.contains(events.orders[i].eventTs, at: at)
                && (slot.filter.map { events.filters[$0][i] } ?? true) && aggregation.kernel.accepts(input)
        }
        let page = Array(contributing.dropFirst(max(0, offset)).prefix(max(0, limit)))
        let lineage = try store.sourceLineage(spec, rowIDs: page.map { events.orders[$0].ingestSeq })
        let definition = aggregation.definition
        return AggregationLineage(
            view: view, viewVersion: spec.viewVersion, feature: name, function: definition.function.rawValue,
            column: definition.column ?? definition.expression, filter: definition.filter,
            window: FeatureDuration.format(definition.windowMicros), hop: FeatureDuration.format(aggregation.window.hopMicros),
            keys: keys.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","), at: Timestamp.format(at),
            windowLower: lower == Int64.min ? "-inf" : Timestamp.format(lower),
            status: offline.statuses[0].rawValue, value: offline.values[0][0].description,
            onlineStatus: online.status.rawValue, onlineValue: online.value.description,
            eventCount: contributing.count, offset: max(0, offset),
            events: page.map { i in
                let order = events.orders[i]
                let source = lineage[order.ingestSeq]
                return AggregationLineage.Event(eventTs: Timestamp.format(order.eventTs), createdTs: Timestamp.format(order.createdTs),
                                                input: slot.input.map { events.inputs[$0][i].description } ?? "", rowID: order.ingestSeq,
                                                file: source?.file, line: source?.line, ingestRun: source?.runID)
            })
    }
}

