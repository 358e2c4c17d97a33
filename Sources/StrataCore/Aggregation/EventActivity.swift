/// Which versions of the events an aggregation may see (SPEC "Windowed aggregations": the corrections modes of row
/// features). Mirrors the offline `CorrectionsMode`, which Core cannot import.
public enum AggregationVisibility: Sendable, Hashable {
    /// Versions with `created_ts <= t`: what serving could have known at `t`.
    case known
    /// Every version.
    case latest
    /// Versions with `created_ts <= T`.
    case asOf(Int64)
}

/// When each stored version of one key's events is the version that counts.
///
/// Without an `id` every version is its own event. With an `id`, versions sharing it are versions of one event and
/// only the best visible one counts — the largest (created time, ingest sequence) — at its own event time. In `known`
/// mode visibility grows with `t`, so each version counts from its created time until a better version of the same
/// event is created; in `latest` and `as-of` modes the set is fixed.
///
/// ```swift
/// let spans = EventActivity.spans(orders: orders, ids: ids, visibility: .known, maxIngestSeq: nil)
/// // version i counts at t when spans.from[i] <= t && t < spans.until[i]
/// ```
public enum EventActivity {
    /// Per version, the instants `from[i] <= t < until[i]` at which it counts (`Int64.min`/`Int64.max` for unbounded;
    /// `from == until` for never). `ids[i]` is the version's event id, `.null` for a row that is its own event;
    /// pass nil when the source has no `id` column. Versions after `maxIngestSeq` are never visible.
    public static func spans(orders: [EventOrder], ids: [Value]?, visibility: AggregationVisibility, maxIngestSeq: Int64?) -> (from: [Int64], until: [Int64]) {
        var from = [Int64](repeating: Int64.max, count: orders.count)
        var until = [Int64](repeating: Int64.max, count: orders.count)
        var groups: [Value: [Int]] = [:]
        for (i, order) in orders.enumerated() {
            if let maxIngestSeq, order.ingestSeq > maxIngestSeq { continue }
            if case .asOf(let limit) = visibility, order.createdTs > limit { continue }
            if let ids, !ids[i].isNull {
                groups[ids[i], default: []].append(i)
                continue
            }
            from[i] = visibility == .known ? order.createdTs : Int64.min
        }
        for (_, members) in groups {
            let sorted = members.sorted { (orders[$0].createdTs, orders[$0].ingestSeq) < (orders[$1].createdTs, orders[$1].ingestSeq) }
            for (rank, i) in sorted.enumerated() {
                let next = rank + 1 < sorted.count ? sorted[rank + 1] : nil
                if visibility == .known {
                    from[i] = orders[i].createdTs
                    until[i] = next.map { orders[$0].createdTs } ?? Int64.max
                } else if next == nil {
                    from[i] = Int64.min
                }
            }
        }
        return (from, until)
    }

    /// The versions that count at `t`, by index: the `known`-mode view of the store at `t`, as a materialization
    /// at `t` sees it.
    public static func counted(at t: Int64, orders: [EventOrder], ids: [Value]?) -> [Int] {
        let spans = spans(orders: orders, ids: ids, visibility: .known, maxIngestSeq: nil)
        return orders.indices.filter { spans.from[$0] <= t && t < spans.until[$0] }
    }
}
