public import StrataCore

/// Random point-in-time cases for the oracle tests of both offline engines: a view keyed by a composite `(a, b)` pair
/// whose rows have ties on event and created time, late corrections and exact duplicates told apart only by ingest
/// order; spines with unknown and null keys, instants at a TTL's edges (`ttl` and `ttl + 1µs`) and duplicate rows.
///
/// `step` spaces the events: one second for the SQLite suite, three hours for Spark, whose published rows then fall
/// into several day partitions.
public struct PointInTimeCases: Sendable {
    public struct Pair: Hashable, Sendable {
        public var a: Int64
        public var b: Int64

        public init(a: Int64, b: Int64) {
            self.a = a
            self.b = b
        }
    }

    public static let second: Int64 = 1_000_000
    public static let base: Int64 = 1_772_366_400_000_000
    /// (1, 23) and (12, 3) must stay different entities.
    public static let keys = [Pair(a: 1, b: 23), Pair(a: 12, b: 3), Pair(a: 2, b: 2), Pair(a: 123, b: 0)]

    public let step: Int64

    public init(step: Int64) {
        self.step = step
    }

    /// The definitions of one case: source `source`, view `view` with `v` and `v2 = v * 2`, and `ttl` when set.
    public static func yaml(source: String, view: String, ttl: Int64?) -> String {
        """
        entities:
          - name: pair
            join_keys: {a: int64, b: int64}
        sources:
          - name: \(source)
            path: \(source).csv
            timestamp: ts
            created: created
            schema: {a: int64, b: int64, v: float64}
        feature_views:
          - name: \(view)
            entities: [pair]
            source: \(source)
            \(ttl.map { "ttl: \($0 / second)s" } ?? "description: no ttl")
            features:
              v: float64
              v2: {type: float64, expr: "v * 2"}
        """
    }

    public func ttl(_ rng: inout SeededGenerator) -> Int64? {
        [nil, 3 * Self.second, 5 * Self.second, 10 * Self.second].randomElement(using: &rng) ?? nil
    }

    /// Up to 40 rows (more with duplicates) in random ingest order, numbered 1… in that order.
    public func rows(_ rng: inout SeededGenerator) -> [PointInTimeOracle.Row<Pair>] {
        var rows: [PointInTimeOracle.Row<Pair>] = []
        for _ in 0..<Int.random(in: 1...40, using: &rng) {
            let key = Self.keys.randomElement(using: &rng) ?? Self.keys[0]
            let event = Self.base + Int64.random(in: 0...20, using: &rng) * step
            let delay: Int64 = [0, 0, Self.second, 3 * Self.second, 30 * Self.second].randomElement(using: &rng) ?? 0
            let value = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Double(Int.random(in: -100...100, using: &rng)) / 4
            rows.append(.init(key: key, event: event, created: event + delay, seq: 0, value: value))
            if Int.random(in: 0..<5, using: &rng) == 0 {
                // An exact duplicate of (key, event, created) with another value: only ingest order breaks the tie.
                rows.append(.init(key: key, event: event, created: event + delay, seq: 0, value: (value ?? 0) + 1))
            }
        }
        rows.shuffle(using: &rng)
        for i in rows.indices { rows[i].seq = Int64(i + 1) }
        return rows
    }

    /// The rows as the source's CSV, each instant written by `render`.
    public static func csv(_ rows: [PointInTimeOracle.Row<Pair>], render: (Int64) -> String = Timestamp.format) -> String {
        let lines = rows.map { r in "\(r.key.a),\(r.key.b),\(render(r.event)),\(render(r.created)),\(r.value.map { "\($0)" } ?? "")" }
        return "a,b,ts,created,v\n" + lines.joined(separator: "\n") + "\n"
    }

    /// Up to 30 spine rows (more with duplicates): a tenth with a null key, some with a key no row has, and, when the
    /// view has a TTL, half at an event time plus `ttl`, `ttl + 1`, 0 or ±1 µs.
    public func spine(rows: [PointInTimeOracle.Row<Pair>], ttl: Int64?, _ rng: inout SeededGenerator) -> (keys: [Pair?], times: [Int64]) {
        var keys: [Pair?] = [], times: [Int64] = []
        let eventTimes = rows.map(\.event)
        for _ in 0..<Int.random(in: 1...30, using: &rng) {
            let key: Pair? = Int.random(in: 0..<10, using: &rng) == 0
                ? nil : (Int.random(in: 0..<8, using: &rng) == 0 ? Pair(a: 9, b: 9) : Self.keys.randomElement(using: &rng))
            var t = Self.base + Int64.random(in: -2...40, using: &rng) * step
            if let ttl, let e = eventTimes.randomElement(using: &rng), Bool.random(using: &rng) {
                t = e + ([ttl, ttl + 1, 0, 1, -1].randomElement(using: &rng) ?? 0)
            }
            keys.append(key)
            times.append(t)
            if Int.random(in: 0..<6, using: &rng) == 0 { keys.append(key); times.append(t) }
        }
        return (keys, times)
    }

    /// An `--as-of` instant within the rows' range.
    public func asOf(_ rng: inout SeededGenerator) -> Int64 {
        Self.base + Int64.random(in: 0...40, using: &rng) * step
    }
}
