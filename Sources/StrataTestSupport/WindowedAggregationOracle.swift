public import StrataCore

/// The obviously-correct windowed aggregation: per spine row, nested loops over every event of every key, transcribing
/// SPEC "Windowed aggregations" and the canonical fold of docs/semantics.md word for word. Property tests compare the
/// real sweep, the fold API and training sets with this on random data; floats are compared bit for bit, because this
/// oracle groups and orders the additions exactly as the docs define.
public enum WindowedAggregationOracle {
    public struct Event<Key: Equatable & Sendable>: Sendable {
        public var key: Key
        /// Versions of one event share an id; nil: the row is its own event.
        public var id: String?
        public var event: Int64
        public var created: Int64
        public var seq: Int64
        /// The aggregated input (ignored by a count of rows).
        public var value: Value
        /// Whether the `where` condition holds.
        public var passes: Bool

        public init(key: Key, id: String?, event: Int64, created: Int64, seq: Int64, value: Value, passes: Bool) {
            self.key = key
            self.id = id
            self.event = event
            self.created = created
            self.seq = seq
            self.value = value
            self.passes = passes
        }
    }

    public enum Mode: Sendable, Equatable {
        case known, latest
        case asOf(Int64)
    }

    public struct Aggregation: Sendable {
        public var function: AggregationDefinition.Function
        /// False for a count of rows.
        public var hasInput: Bool
        public var inputIsInteger: Bool
        public var window: Int64
        public var hop: Int64

        public init(function: AggregationDefinition.Function, hasInput: Bool, inputIsInteger: Bool, window: Int64, hop: Int64) {
            self.function = function
            self.hasInput = hasInput
            self.inputIsInteger = inputIsInteger
            self.window = window
            self.hop = hop
        }
    }

    /// Status, latest counted event time and value; floats compare by their bits.
    public struct Answer: Equatable, Sendable, CustomStringConvertible {
        public var status: String
        public var eventTs: Int64?
        public var value: Value

        public init(status: String, eventTs: Int64?, value: Value) {
            self.status = status
            self.eventTs = eventTs
            self.value = value
        }

        public static func == (lhs: Answer, rhs: Answer) -> Bool {
            lhs.status == rhs.status && lhs.eventTs == rhs.eventTs && bitwiseEqual(lhs.value, rhs.value)
        }

        public var description: String {
            let rendered: String = if case .float(let x) = value { "float \(x) (bits \(String(x.bitPattern, radix: 16)))" } else { "\(value)" }
            return "\(status) event=\(eventTs.map(String.init) ?? "-") value=\(rendered)"
        }
    }

    /// Equal values, with floats equal only when their bits are (so -0.0 differs from 0.0).
    public static func bitwiseEqual(_ a: Value, _ b: Value) -> Bool {
        if case .float(let x) = a, case .float(let y) = b { return x.bitPattern == y.bitPattern }
        return a == b
    }

    /// The answer for one spine row `(key, t)`; a nil key never matches.
    public static func answer<Key>(events: [Event<Key>], key: Key?, t: Int64, aggregation: Aggregation, mode: Mode, isStrict: Bool,
                                   maxIngestSeq: Int64? = nil) -> Answer {
        guard let key else { return Answer(status: "not_found", eventTs: nil, value: .null) }
        func isVisible(_ e: Event<Key>) -> Bool {
            if let maxIngestSeq, e.seq > maxIngestSeq { return false }
            switch mode {
            case .known: return e.created <= t
            case .latest: return true
            case .asOf(let limit): return e.created <= limit
            }
        }
        // The visible events of the key; of the versions of one id only the best (created, then ingest order).
        var counted: [Event<Key>] = []
        for e in events where e.key == key && isVisible(e) {
            var isBest = true
            if let id = e.id {
                for other in events where other.key == key && other.id == id && isVisible(other) {
                    if (other.created, other.seq) > (e.created, e.seq) { isBest = false }
                }
            }
            if isBest { counted.append(e) }
        }
        // Status: any counted event at or before t (strict: before t).
        var latest: Int64?
        for e in counted where isStrict ? e.event < t : e.event <= t {
            latest = max(latest ?? e.event, e.event)
        }
        guard let latest else { return Answer(status: "not_found", eventTs: nil, value: .null) }
        // The window: lower < e <= t with lower = floor(t - window, hop); strict: lower <= e < t.
        let lower = aggregation.hop > 0 ? floorDivision(t - aggregation.window, aggregation.hop) * aggregation.hop : t - aggregation.window
        var inWindow: [Event<Key>] = []
        for e in counted where e.passes {
            let inside = isStrict ? (lower <= e.event && e.event < t) : (lower < e.event && e.event <= t)
            if inside { inWindow.append(e) }
        }
        inWindow.sort { ($0.event, $0.created, $0.seq) < ($1.event, $1.created, $1.seq) }
        // Tiles: (j·hop, (j+1)·hop]; strict: [j·hop, (j+1)·hop). One group with hop 0.
        var groups: [[Event<Key>]] = []
        var groupTile: Int64?
        for e in inWindow {
            let tile = aggregation.hop > 0 ? floorDivision((isStrict ? e.event + 1 : e.event) - 1, aggregation.hop) : 0
            if tile != groupTile { groups.append([]) }
            groupTile = tile
            groups[groups.count - 1].append(e)
        }
        let inputs = groups.map { group in
            group.map { (order: ($0.event, $0.created, $0.seq), value: aggregation.hasInput ? $0.value : Value.int(1)) }
        }
        return Answer(status: "present", eventTs: latest, value: OracleFold.value(aggregation, groups: inputs))
    }

    static func floorDivision(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
