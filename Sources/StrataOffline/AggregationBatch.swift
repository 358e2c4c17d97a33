import Dispatch
import StrataCore

/// The events and spine rows of a run of whole keys, gathered by the scan and swept on several threads at once: keys
/// are independent, so each thread sweeps a contiguous share of them into its own answer, and the reader applies the
/// answers afterwards. Memory holds two batches (`eventsMax` events each: one swept, one being read), never the table.
///
/// A value type: the threads share one immutable copy of the batch while the scan's copy waits, so nothing is checked
/// or locked per event.
struct AggregationBatch: Sendable {
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
    mutating func closeKey(spineRows: [Int]) {
        keyEnds.append(orders.count)
        keySpine.append(spineRows)
    }

    mutating func clear() {
        keyEnds.removeAll(keepingCapacity: true)
        keySpine.removeAll(keepingCapacity: true)
        orders.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        for i in inputs.indices { inputs[i].removeAll(keepingCapacity: true) }
        for i in filters.indices { filters[i].removeAll(keepingCapacity: true) }
    }

    /// Starts sweeping every closed key on `width` threads in the background, so the scan can read the next batch
    /// meanwhile; `PendingSweep.finish` waits for it and writes the answers.
    func startSweep(times: [Int64], groups: [FoldGroup], aggregationCount: Int, options: JoinOptions, width: Int) -> PendingSweep {
        let shares = shares(width)
        let answers = shares.map { _ in BatchAnswer() }
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            DispatchQueue.concurrentPerform(iterations: shares.count) { share in
                self.sweep(keys: shares[share], times: times, groups: groups, aggregationCount: aggregationCount, options: options, into: answers[share])
            }
            done.signal()
        }
        return PendingSweep(done: done, answers: answers, aggregationCount: aggregationCount)
    }

    /// Contiguous runs of keys holding about the same number of events (none for an empty batch).
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

/// A batch being swept in the background; `finish` must be called before the answers are used.
struct PendingSweep {
    let done: DispatchSemaphore
    let answers: [BatchAnswer]
    let aggregationCount: Int

    /// Waits for the sweep and writes its answers into `result`, on the caller's thread.
    func finish(into result: inout ViewJoinResult) {
        done.wait()
        for answer in answers {
            guard let local = answer.result else { continue }
            for (j, row) in answer.rows.enumerated() {
                result.statuses[row] = local.statuses[j]
                result.eventTimes[row] = local.eventTimes[j]
            }
            for a in 0..<aggregationCount {
                result.values[a].withUnsafeMutableBufferPointer { column in
                    for (j, row) in answer.rows.enumerated() { column[row] = local.values[a][j] }
                }
            }
        }
    }
}

/// What one thread's share of a batch answered: its global spine rows and a result aligned with them.
/// `@unchecked Sendable`: exactly one thread writes it, and the reader reads it only after `PendingSweep.finish` has
/// waited for that thread (the semaphore orders the write before the read).
final class BatchAnswer: @unchecked Sendable {
    var rows: [Int] = []
    var result: ViewJoinResult?
}
