import Dispatch
import StrataCore

/// The events and spine rows of a run of whole keys, gathered by the scan and swept on several threads at once: keys
/// are independent, so each thread sweeps a contiguous share of them into its own answer, and the reader applies the
/// answers afterwards. Memory holds one batch (`eventsMax` events), never the table.
///
/// `@unchecked Sendable`: the scan fills a batch, calls `sweep` — which only reads it while the threads run, each
/// thread writing nothing but its own `BatchAnswer` — and touches it again only after `sweep` returns.
final class AggregationBatch: @unchecked Sendable {
    /// A batch is swept once it holds this many events (at a key boundary): a few MB, enough to keep every core busy.
    static let eventsMaxDefault = 131_072
    let eventsMax: Int

    /// Per key, the end of its events and its spine rows (sorted by time).
    private(set) var keyEnds: [Int] = []
    private(set) var keySpine: [[Int]] = []
    var orders: [EventOrder] = []
    /// Per event its id (`.null` for none); empty when the source has no `id` column.
    var ids: [Value] = []
    var inputs: [[Value]]
    var filters: [[Bool]]

    init(inputs: Int, filters: Int, eventsMax: Int) {
        self.eventsMax = eventsMax
        self.inputs = Array(repeating: [], count: inputs)
        self.filters = Array(repeating: [], count: filters)
    }

    var isFull: Bool { orders.count >= eventsMax }

    /// Ends the current key: its events are those appended since the previous key.
    func closeKey(spineRows: [Int]) {
        keyEnds.append(orders.count)
        keySpine.append(spineRows)
    }

    func clear() {
        keyEnds.removeAll(keepingCapacity: true)
        keySpine.removeAll(keepingCapacity: true)
        orders.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        for i in inputs.indices { inputs[i].removeAll(keepingCapacity: true) }
        for i in filters.indices { filters[i].removeAll(keepingCapacity: true) }
    }

    /// Sweeps every closed key on `width` threads and writes the answers into `result`.
    func sweep(times: [Int64], groups: [FoldGroup], aggregationCount: Int, options: JoinOptions, width: Int, into result: inout ViewJoinResult) {
        guard !keyEnds.isEmpty else { return }
        let shares = shares(width)
        let answers = shares.map { _ in BatchAnswer() }
        DispatchQueue.concurrentPerform(iterations: shares.count) { share in
            self.sweep(keys: shares[share], times: times, groups: groups, aggregationCount: aggregationCount, options: options, into: answers[share])
        }
        for answer in answers {
            guard let local = answer.result else { continue }
            for (j, row) in answer.rows.enumerated() {
                result.statuses[row] = local.statuses[j]
                result.eventTimes[row] = local.eventTimes[j]
                for a in 0..<aggregationCount { result.values[a][row] = local.values[a][j] }
            }
        }
    }

    /// Contiguous runs of keys holding about the same number of events.
    private func shares(_ width: Int) -> [Range<Int>] {
        let target = (orders.count + width - 1) / max(1, width)
        var result: [Range<Int>] = [], start = 0
        for (k, end) in keyEnds.enumerated() where end >= target * (result.count + 1) || k == keyEnds.count - 1 {
            result.append(start..<(k + 1))
            start = k + 1
        }
        return result
    }

    private func sweep(keys: Range<Int>, times: [Int64], groups: [FoldGroup], aggregationCount: Int, options: JoinOptions, into answer: BatchAnswer) {
        let rows = keys.flatMap { keySpine[$0] }
        let localTimes = rows.map { times[$0] }
        var local = ViewJoinResult(rows: rows.count, features: aggregationCount)
        var sweep = AggregationKeySweep()
        sweep.inputs = Array(repeating: [], count: inputs.count)
        sweep.filters = Array(repeating: [], count: filters.count)
        var offset = 0
        for k in keys {
            let events = (k == 0 ? 0 : keyEnds[k - 1])..<keyEnds[k]
            sweep.clear()
            sweep.orders.append(contentsOf: orders[events])
            if !ids.isEmpty { sweep.ids.append(contentsOf: ids[events]) }
            for i in inputs.indices { sweep.inputs[i].append(contentsOf: inputs[i][events]) }
            for i in filters.indices { sweep.filters[i].append(contentsOf: filters[i][events]) }
            let spineRows = Array(offset..<(offset + keySpine[k].count))
            sweep.resolve(spineRows: spineRows, times: localTimes, groups: groups, options: options, into: &local)
            offset += keySpine[k].count
        }
        answer.rows = rows
        answer.result = local
    }
}

/// What one thread's share of a batch answered: its global spine rows and a result aligned with them.
/// `@unchecked Sendable`: exactly one thread writes it, and the reader reads it after that thread has finished.
final class BatchAnswer: @unchecked Sendable {
    var rows: [Int] = []
    var result: ViewJoinResult?
}
