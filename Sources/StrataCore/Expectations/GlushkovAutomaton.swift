/// The position automaton of a pattern (Glushkov 1961), simulated bit-parallel: the state is the set of character
/// positions that can have matched the last scalar, a bit mask of at most 256 positions.
struct GlushkovAutomaton: Sendable {
    /// A set of positions.
    struct Mask: Sendable, Hashable {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        static func == (lhs: Mask, rhs: Mask) -> Bool { lhs.words == rhs.words }
        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
        }

        var isEmpty: Bool { (words.0 | words.1 | words.2 | words.3) == 0 }

        mutating func insert(_ position: Int) {
            let bit = UInt64(1) << (position % 64)
            switch position / 64 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            case 2: words.2 |= bit
            default: words.3 |= bit
            }
        }

        @inline(__always) static func | (a: Mask, b: Mask) -> Mask {
            Mask(words: (a.words.0 | b.words.0, a.words.1 | b.words.1, a.words.2 | b.words.2, a.words.3 | b.words.3))
        }

        @inline(__always) static func & (a: Mask, b: Mask) -> Mask {
            Mask(words: (a.words.0 & b.words.0, a.words.1 & b.words.1, a.words.2 & b.words.2, a.words.3 & b.words.3))
        }

        /// Calls `body` with each position in the set.
        @inline(__always) func forEach(_ body: (Int) -> Void) {
            Self.each(words.0, base: 0, body)
            Self.each(words.1, base: 64, body)
            Self.each(words.2, base: 128, body)
            Self.each(words.3, base: 192, body)
        }

        @inline(__always) static func each(_ word: UInt64, base: Int, _ body: (Int) -> Void) {
            var remaining = word
            while remaining != 0 {
                body(base + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }

    /// The scalar set of each position.
    let sets: [ScalarSet]
    /// `follow[p]`: the positions that may come right after position `p`.
    let follow: [Mask]
    let first: Mask
    let last: Mask
    let acceptsEmpty: Bool
    /// For each ASCII scalar, the positions whose set contains it.
    let asciiPositions: [Mask]

    init(_ tree: PatternTree) throws(TextPatternError) {
        var sets: [ScalarSet] = []
        var follow: [Mask] = []
        let root = try Self.build(tree, &sets, &follow)
        self.sets = sets
        self.follow = follow
        first = root.first
        last = root.last
        acceptsEmpty = root.nullable
        asciiPositions = (0..<128).map { scalar in
            var mask = Mask()
            for (position, set) in sets.enumerated() where set.contains(UInt32(scalar)) { mask.insert(position) }
            return mask
        }
    }

    struct Summary {
        var nullable: Bool
        var first: Mask
        var last: Mask
    }

    /// Numbers the positions of `tree` and fills in their follow sets; returns the tree's nullable/first/last.
    static func build(_ tree: PatternTree, _ sets: inout [ScalarSet], _ follow: inout [Mask]) throws(TextPatternError) -> Summary {
        switch tree {
        case .empty:
            return Summary(nullable: true, first: Mask(), last: Mask())
        case .scalars(let set):
            guard sets.count < TextPattern.positionsMax else {
                throw TextPatternError(reason: "the pattern is too long (more than \(TextPattern.positionsMax) character positions after expanding repetitions)", offset: 0)
            }
            var mask = Mask()
            mask.insert(sets.count)
            sets.append(set)
            follow.append(Mask())
            return Summary(nullable: false, first: mask, last: mask)
        case .concatenation(let items):
            var result = Summary(nullable: true, first: Mask(), last: Mask())
            for item in items {
                let next = try build(item, &sets, &follow)
                result.last.forEach { follow[$0] = follow[$0] | next.first }
                if result.nullable { result.first = result.first | next.first }
                result.last = next.nullable ? result.last | next.last : next.last
                result.nullable = result.nullable && next.nullable
            }
            return result
        case .alternation(let branches):
            var result = Summary(nullable: false, first: Mask(), last: Mask())
            for branch in branches {
                let next = try build(branch, &sets, &follow)
                result.nullable = result.nullable || next.nullable
                result.first = result.first | next.first
                result.last = result.last | next.last
            }
            return result
        case .zeroOrMore(let inner), .oneOrMore(let inner):
            var result = try build(inner, &sets, &follow)
            result.last.forEach { follow[$0] = follow[$0] | result.first }
            if case .zeroOrMore = tree { result.nullable = true }
            return result
        case .optional(let inner):
            var result = try build(inner, &sets, &follow)
            result.nullable = true
            return result
        }
    }

    @inline(__always)
    func positions(accepting scalar: Unicode.Scalar) -> Mask {
        if scalar.value < 128 { return asciiPositions[Int(scalar.value)] }
        var mask = Mask()
        for (position, set) in sets.enumerated() where set.contains(scalar.value) { mask.insert(position) }
        return mask
    }

    func matches(_ text: String.UnicodeScalarView) -> Bool {
        var state: Mask?
        for scalar in text {
            let candidates: Mask
            if let current = state {
                var next = Mask()
                current.forEach { next = next | follow[$0] }
                candidates = next
            } else {
                candidates = first
            }
            let matched = candidates & positions(accepting: scalar)
            if matched.isEmpty { return false }
            state = matched
        }
        guard let state else { return acceptsEmpty }
        return !(state & last).isEmpty
    }
}
