// The canonical fold in Core: tiles and windows at the edges, every kernel's empty/null/overflow rules, partial
// bytes, and the property that an online-style fold (stored tile partials read back from bytes + raw head events,
// visibility from EventActivity) equals the brute-force oracle bit for bit at random instants.
import StrataCore
import StrataTestSupport
import Testing

@Suite struct AggregationFoldTests {
    static let second: Int64 = 1_000_000
    static let order = EventOrder(eventTs: 0, createdTs: 0, ingestSeq: 0)

    func kernel(_ function: AggregationDefinition.Function, _ type: ValueType?) throws -> AggregationKernel {
        try AggregationKernel.make(function, inputType: type).get()
    }

    @Test("tiles are left-open and epoch-aligned, before the epoch too; the window spans window to window + hop")
    func tiles() {
        let window = AggregationWindow(windowMicros: 60, hopMicros: 10)
        #expect(window.tile(of: 10) == 0)
        #expect(window.tile(of: 11) == 1)
        #expect(window.tile(of: 0) == -1)
        #expect(window.tile(of: -10) == -2)
        #expect(window.tile(of: -9) == -1)
        #expect(window.lowerBound(at: 100) == 40)
        #expect(window.lowerBound(at: 105) == 40)
        #expect(window.lowerBound(at: -5) == -70)
        #expect(window.tiles(at: 100) == (4..<10, 10))
        #expect(window.tiles(at: 105) == (4..<10, 10))
        #expect(window.contains(41, at: 105) && !window.contains(40, at: 105) && window.contains(105, at: 105) && !window.contains(106, at: 105))
        let sliding = AggregationWindow(windowMicros: 60, hopMicros: 0)
        #expect(sliding.lowerBound(at: 105) == 45)
        #expect(AggregationWindow(windowMicros: Int64.max, hopMicros: 0).lowerBound(at: -10) == Int64.min)
    }

    @Test("an empty window gives 0 for count-like functions and null for the others")
    func emptyWindow() throws {
        for function in AggregationDefinition.Function.allCases {
            let k = try kernel(function, function == .count ? nil : .int64)
            #expect(k.finalize(AggregatePartial()) == (function.isCountLike ? .int(0) : .null), "\(function)")
        }
    }

    @Test("nulls are skipped (but counted as rows), integer sums overflow to null exactly, non-finite results are null")
    func nullsOverflowNonFinite() throws {
        func fold(_ k: AggregationKernel, _ values: [Value]) -> Value {
            var partial = AggregatePartial()
            for (i, value) in values.enumerated() { k.insert(&partial, value, at: EventOrder(eventTs: Int64(i), createdTs: 0, ingestSeq: Int64(i))) }
            return k.finalize(partial)
        }
        #expect(fold(try kernel(.count, nil), [.null, .int(1)]) == .int(2))
        #expect(fold(try kernel(.count, .int64), [.null, .int(1)]) == .int(1))
        #expect(fold(try kernel(.sum, .int64), [.null, .null]) == .null)
        #expect(fold(try kernel(.sum, .int64), [.int(Int64.max), .int(1)]) == .null)
        // The exact total decides, not the order: max + 1 - 1 fits even though a running int64 sum would overflow.
        #expect(fold(try kernel(.sum, .int64), [.int(Int64.max), .int(1), .int(-1)]) == .int(Int64.max))
        #expect(fold(try kernel(.avg, .int64), [.int(Int64.max), .int(Int64.max)]) == .float(Double(Int64.max)))
        #expect(fold(try kernel(.sum, .float64), [.float(1e308), .float(1e308)]) == .null)
        #expect(fold(try kernel(.sum, .float64), [.float(.infinity), .float(1)]) == .float(1))
        #expect(fold(try kernel(.variance, .float64), [.float(3)]) == .null)
        #expect(fold(try kernel(.variance, .int64), [.int(1), .int(2), .int(3), .int(4)]) == .float(5.0 / 3.0))
        #expect(fold(try kernel(.stddev, .float64), [.float(2), .float(4), .float(4), .float(4), .float(5), .float(5), .float(7), .float(9)]) == .float((32.0 / 7.0).squareRoot()))
        #expect(fold(try kernel(.first, .string), [.null, .string("b"), .string("a")]) == .string("b"))
        #expect(fold(try kernel(.last, .string), [.string("b"), .string("a"), .null]) == .string("a"))
        let minimum = fold(try kernel(.min, .float64), [.float(0.0), .float(-0.0)])
        #expect(minimum.doubleValue?.sign == .minus)
        #expect(fold(try kernel(.max, .string), [.string("b"), .string("ab"), .string("é")]) == .string("é"))
    }

    @Test("an integer sum's double is correctly rounded beyond int64")
    func wideSumRounding() {
        var sum = WideSum()
        for _ in 0..<4 { sum.add(Int64.max) }
        sum.add(3)
        #expect(sum.int64Value == nil)
        #expect(sum.doubleValue == 4 * 9_223_372_036_854_775_807.0)
        var negative = WideSum()
        for _ in 0..<3 { negative.add(Int64.min) }
        #expect(negative.doubleValue == -3 * 9_223_372_036_854_775_808.0)
    }

    @Test("partials of every function survive bytes exactly; damaged bytes are refused")
    func partialBytes() throws {
        let cases: [(AggregationDefinition.Function, ValueType?, [Value])] = [
            (.count, nil, [.null, .int(3)]), (.count, .string, [.string("x"), .null]), (.sum, .int64, [.int(Int64.max), .int(5)]),
            (.sum, .float64, [.float(0.1), .float(0.2)]), (.avg, .float64, [.float(1.5)]), (.variance, .float64, [.float(1), .float(2.5)]),
            (.min, .string, [.string("zé"), .string("a")]), (.max, .bool, [.bool(false), .bool(true)]), (.first, .int64, [.int(-4), .int(9)]),
            (.last, .float64, [.float(-0.0)]), (.approxCountDistinct, .string, (0..<2_000).map { .string("r\($0)") }),
        ]
        for (function, type, values) in cases {
            let k = try kernel(function, type)
            var partial = AggregatePartial()
            for (i, value) in values.enumerated() { k.insert(&partial, value, at: EventOrder(eventTs: Int64(i), createdTs: 1, ingestSeq: Int64(i))) }
            let bytes = k.bytes(of: partial)
            let again = try k.partial(fromBytes: bytes)
            #expect(again == partial, "\(function)")
            #expect(k.bytes(of: again) == bytes)
            #expect(WindowedAggregationOracle.bitwiseEqual(k.finalize(again), k.finalize(partial)))
            #expect(throws: (any Error).self) { try k.partial(fromBytes: bytes.dropLast()) }
            #expect(throws: (any Error).self) { try k.partial(fromBytes: bytes + [0]) }
        }
        #expect(try kernel(.count, nil).partial(fromBytes: kernel(.count, nil).bytes(of: AggregatePartial())).isEmpty)
    }

    @Test("order-independent functions give the same value however the events are grouped and ordered")
    func orderIndependence() throws {
        var rng = SeededGenerator(seed: 5)
        let values: [Value] = (0..<60).map { _ in Int.random(in: 0..<6, using: &rng) == 0 ? .null : .int(Int64.random(in: -1_000...1_000, using: &rng)) }
        for function in [AggregationDefinition.Function.count, .sum, .min, .max, .first, .last, .approxCountDistinct] {
            let k = try kernel(function, .int64)
            let inputs = values.enumerated().map { AggregationInput(order: EventOrder(eventTs: Int64($0.offset), createdTs: 0, ingestSeq: 0), value: $0.element) }
            let reference = k.finalize(AggregationFold(kernel: k, window: AggregationWindow(windowMicros: 1, hopMicros: 0)).partial(of: inputs))
            for _ in 0..<5 {
                var total = AggregatePartial()
                var shuffled = inputs.shuffled(using: &rng)
                while !shuffled.isEmpty {
                    let take = Int.random(in: 1...min(7, shuffled.count), using: &rng)
                    var part = AggregatePartial()
                    for input in shuffled.prefix(take) { k.insert(&part, input.value, at: input.order) }
                    shuffled.removeFirst(take)
                    k.merge(&total, part)
                }
                #expect(k.finalize(total) == reference, "\(function)")
            }
        }
    }

    @Test("an online-style fold (stored tiles from bytes + raw head events) equals the oracle at random instants")
    func onlineStyleFoldMatchesOracle() throws {
        let seed = propertyTestSeed("canonical fold")
        var rng = SeededGenerator(seed: seed)
        for caseIndex in 0..<300 {
            let hop = [0, 2, 3, 5].randomElement(using: &rng).map { Int64($0) * Self.second } ?? 0
            let window = hop > 0 ? hop * Int64.random(in: 1...4, using: &rng) : Int64.random(in: 1...9, using: &rng) * Self.second
            let function = AggregationDefinition.Function.allCases.randomElement(using: &rng) ?? .count
            let hasInput = function != .count || Bool.random(using: &rng)
            let isInteger = function == .approxCountDistinct || Bool.random(using: &rng)
            let k = try kernel(function, hasInput ? (isInteger ? .int64 : .float64) : nil)
            let fold = AggregationFold(kernel: k, window: AggregationWindow(windowMicros: window, hopMicros: hop))
            var events: [WindowedAggregationOracle.Event<Int>] = []
            for i in 0..<Int.random(in: 1...30, using: &rng) {
                let event = Int64.random(in: -2...20, using: &rng) * Self.second + (Bool.random(using: &rng) ? 0 : Int64.random(in: -1...1, using: &rng))
                let created = event + [0, 0, Self.second, 4 * Self.second, -3 * Self.second].randomElement(using: &rng)!
                let raw = Int64.random(in: -50...50, using: &rng)
                let value: Value = Int.random(in: 0..<7, using: &rng) == 0 ? .null : isInteger ? .int(raw) : .float(Double(raw) / 8 + 0.1)
                events.append(.init(key: 1, id: Bool.random(using: &rng) ? ["a", "b", "c"].randomElement(using: &rng) : nil, event: event, created: created,
                                    seq: Int64(i + 1), value: value, passes: Int.random(in: 0..<5, using: &rng) != 0))
            }
            let aggregation = WindowedAggregationOracle.Aggregation(function: function, hasInput: hasInput, inputIsInteger: isInteger, window: window, hop: hop)
            for _ in 0..<6 {
                let t = Int64.random(in: -3...24, using: &rng) * Self.second + [0, 0, 1, -1].randomElement(using: &rng)!
                let expected = WindowedAggregationOracle.answer(events: events, key: 1, t: t, aggregation: aggregation, mode: .known, isStrict: false)
                guard expected.status == "present" else { continue }
                let actual = try onlineStyleValue(fold, events, at: t, &rng)
                #expect(WindowedAggregationOracle.bitwiseEqual(actual, expected.value),
                        "seed \(seed) case \(caseIndex) \(function) window \(window) hop \(hop) t \(t): expected \(expected), actual \(actual)")
            }
        }
    }

    /// What an online store does: versions counted at `t` (EventActivity), whole tiles stored as partials and read back
    /// from bytes, the head tile stored up to a random prefix with the rest of it (and future events) kept raw.
    func onlineStyleValue(_ fold: AggregationFold, _ events: [WindowedAggregationOracle.Event<Int>], at t: Int64, _ rng: inout SeededGenerator) throws -> Value {
        let orders = events.map { EventOrder(eventTs: $0.event, createdTs: $0.created, ingestSeq: $0.seq) }
        let counted = EventActivity.counted(at: t, orders: orders, ids: events.map { $0.id.map(Value.string) ?? .null })
        let inputs = counted.filter { events[$0].passes }.map { AggregationInput(order: orders[$0], value: events[$0].value) }.sorted { $0.order < $1.order }
        guard fold.window.hopMicros > 0 else { return fold.value(at: t, tiles: [], events: inputs.shuffled(using: &rng)) }
        let head = fold.window.tiles(at: t).head
        var tiles: [TilePartial] = [], raw: [AggregationInput] = []
        for tile in Set(inputs.map { fold.window.tile(of: $0.order.eventTs) }).sorted() {
            let members = inputs.filter { fold.window.tile(of: $0.order.eventTs) == tile }
            let cut = tile < head ? members.count : Int.random(in: 0...members.filter { $0.order.eventTs <= t }.count, using: &rng)
            let stored = try fold.kernel.partial(fromBytes: fold.kernel.bytes(of: fold.partial(of: members.prefix(cut))))
            tiles.append(TilePartial(tile: tile, partial: stored))
            raw += members.dropFirst(cut)
        }
        return fold.value(at: t, tiles: tiles.shuffled(using: &rng), events: raw.shuffled(using: &rng))
    }
}
