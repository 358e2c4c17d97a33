public import StrataCore

/// Which versions of feature rows a point-in-time join may see (SPEC "Point-in-time join").
public enum CorrectionsMode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Only rows with `created_ts <= t`: what serving could have seen at `t`.
    case known
    /// All rows; `created_ts` only breaks ties (Feast-compatible).
    case latest
    /// Only rows with `created_ts <= T`: the store as it stood at `T`.
    case asOf(Int64)

    public var description: String {
        switch self {
        case .known: return "known"
        case .latest: return "latest"
        case .asOf(let t): return "as-of \(Timestamp.format(t))"
        }
    }
}

/// Options of one join.
public struct JoinOptions: Sendable, Hashable {
    public var corrections: CorrectionsMode
    /// `event_ts < t` instead of `<=`.
    public var isStrict: Bool
    /// Ignore feature rows ingested after this sequence number (to reproduce an earlier training set).
    public var maxIngestSeq: Int64?

    public init(corrections: CorrectionsMode = .known, isStrict: Bool = false, maxIngestSeq: Int64? = nil) {
        self.corrections = corrections
        self.isStrict = isStrict
        self.maxIngestSeq = maxIngestSeq
    }
}

/// The join's answer for one view: per spine row a status, the winning row's times and lineage, and feature values.
public struct ViewJoinResult: Sendable {
    public var statuses: [FeatureStatus]
    public var eventTimes: [Int64?]
    public var createdTimes: [Int64?]
    public var lineageIDs: [Int64?]
    /// Column-major: `values[feature][spineRow]`.
    public var values: [[Value]]

    init(rows: Int, features: Int) {
        statuses = Array(repeating: .notFound, count: rows)
        eventTimes = Array(repeating: nil, count: rows)
        createdTimes = Array(repeating: nil, count: rows)
        lineageIDs = Array(repeating: nil, count: rows)
        values = Array(repeating: Array(repeating: .null, count: rows), count: features)
    }
}

/// The pure core of the join for one key: given that key's feature rows in ascending (event, created, seq) order
/// and its spine rows, pick each spine row's winner. Eligibility only grows with `t`, so one sweep suffices.
struct KeyGroupSweep {
    var events: [Int64] = []
    var created: [Int64] = []
    var seqs: [Int64] = []
    private var eligibleAt: [Int64] = []
    private var order: [Int] = []

    mutating func clear() {
        events.removeAll(keepingCapacity: true)
        created.removeAll(keepingCapacity: true)
        seqs.removeAll(keepingCapacity: true)
    }

    /// For each spine row (sorted by time), the winning group row index or nil, and whether candidates existed but were too old.
    mutating func resolve(spineRows: [Int], times: [Int64], ttl: Int64?, options: JoinOptions, answer: (Int, Int?, FeatureStatus) -> Void) {
        eligibleAt.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        let strictShift: Int64 = options.isStrict ? 1 : 0
        for i in events.indices {
            if let maxSeq = options.maxIngestSeq, seqs[i] > maxSeq { continue }
            var at = events[i] &+ strictShift
            switch options.corrections {
            case .known: at = max(at, created[i])
            case .latest: break
            case .asOf(let limit): if created[i] > limit { continue }
            }
            order.append(i)
            eligibleAt.append(at)
        }
        sortByEligibility()
        var next = 0
        var best = -1
        for spineRow in spineRows {
            let t = times[spineRow]
            while next < order.count, eligibleAt[next] <= t {
                best = max(best, order[next])
                next += 1
            }
            guard best >= 0 else { answer(spineRow, nil, .notFound); continue }
            if let ttl {
                let (lower, overflow) = t.subtractingReportingOverflow(ttl)
                if !overflow, events[best] < lower { answer(spineRow, nil, .expired); continue }
            }
            answer(spineRow, best, .present)
        }
    }

    /// Sorts `eligibleAt` ascending, permuting `order` alongside. Rows arrive in event order and become visible shortly
    /// after their event, so the arrays are nearly sorted: insertion sort is linear then. A closure-based `sorted` per key
    /// group was 6% of a 1M-row join (perf, issue 12). Past a budget of moves (adversarial input), a full sort takes over.
    private mutating func sortByEligibility() {
        let count = eligibleAt.count
        var moves = 0
        var i = 1
        while i < count {
            let at = eligibleAt[i], index = order[i]
            var j = i
            while j > 0, eligibleAt[j - 1] > at {
                eligibleAt[j] = eligibleAt[j - 1]
                order[j] = order[j - 1]
                j -= 1
                moves += 1
            }
            eligibleAt[j] = at
            order[j] = index
            if moves > 8 * count + 64 {
                var pairs = zip(eligibleAt, order).map { ($0, $1) }
                pairs.sort { $0.0 < $1.0 }
                eligibleAt = pairs.map(\.0)
                order = pairs.map(\.1)
                return
            }
            i += 1
        }
    }
}
