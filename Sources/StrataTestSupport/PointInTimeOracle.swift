/// The obviously-correct point-in-time join: nested loops transcribing SPEC "Point-in-time join" word for word.
/// Property tests compare the real join (SQLite scan + sweep) with this on random data.
public enum PointInTimeOracle {
    public struct Row<Key: Equatable & Sendable>: Sendable {
        public var key: Key
        public var event: Int64
        public var created: Int64
        public var seq: Int64
        public var value: Double?

        public init(key: Key, event: Int64, created: Int64, seq: Int64, value: Double?) {
            self.key = key
            self.event = event
            self.created = created
            self.seq = seq
            self.value = value
        }
    }

    public enum Mode: Sendable, Equatable {
        case known, latest
        case asOf(Int64)
    }

    public struct Answer: Equatable, Sendable, CustomStringConvertible {
        public var status: String
        public var value: Double?
        public var event: Int64?

        public init(status: String, value: Double?, event: Int64?) {
            self.status = status
            self.value = value
            self.event = event
        }

        public var description: String { "\(status) value=\(value.map { "\($0)" } ?? "null") event=\(event.map { "\($0)" } ?? "-")" }
    }

    /// The answer for one spine row `(key, t)`; a nil key never matches (`not_found`).
    public static func answer<Key>(rows: [Row<Key>], key: Key?, t: Int64, ttl: Int64?, mode: Mode, isStrict: Bool) -> Answer {
        guard let key else { return Answer(status: "not_found", value: nil, event: nil) }
        var visible: [Row<Key>] = []
        for row in rows {
            guard row.key == key else { continue }
            guard isStrict ? row.event < t : row.event <= t else { continue }
            switch mode {
            case .known: guard row.created <= t else { continue }
            case .latest: break
            case .asOf(let limit): guard row.created <= limit else { continue }
            }
            visible.append(row)
        }
        var candidates: [Row<Key>] = []
        for row in visible {
            if let ttl, row.event < t - ttl { continue }
            candidates.append(row)
        }
        var best: Row<Key>?
        for row in candidates {
            guard let current = best else { best = row; continue }
            if (row.event, row.created, row.seq) > (current.event, current.created, current.seq) { best = row }
        }
        if let best { return Answer(status: "present", value: best.value, event: best.event) }
        return Answer(status: visible.isEmpty ? "not_found" : "expired", value: nil, event: nil)
    }
}
