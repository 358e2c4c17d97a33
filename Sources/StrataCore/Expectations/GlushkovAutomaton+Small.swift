/// The common case of a pattern with at most 64 positions: the state is one machine word, and ASCII values are
/// read byte by byte from their UTF-8 storage without decoding scalars.
struct SmallGlushkovAutomaton: Sendable {
    let follow: [UInt64]
    let first: UInt64
    let last: UInt64
    let acceptsEmpty: Bool
    /// For each ASCII byte, the positions whose set contains it.
    let ascii: [UInt64]

    init?(_ automaton: GlushkovAutomaton) {
        guard automaton.sets.count <= 64 else { return nil }
        follow = automaton.follow.map(\.words.0)
        first = automaton.first.words.0
        last = automaton.last.words.0
        acceptsEmpty = automaton.acceptsEmpty
        ascii = automaton.asciiPositions.map(\.words.0)
    }

    /// The answer for an all-ASCII value, or nil when the value has other scalars (the caller then decodes them).
    @inline(__always)
    func matchesASCII(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { bytes -> Bool? in
            follow.withUnsafeBufferPointer { follow in
                ascii.withUnsafeBufferPointer { ascii in
                    var state: UInt64 = 0
                    var started = false
                    for byte in bytes {
                        guard byte < 0x80 else { return nil }
                        var candidates = first
                        if started {
                            candidates = 0
                            var remaining = state
                            while remaining != 0 {
                                candidates |= follow[remaining.trailingZeroBitCount]
                                remaining &= remaining - 1
                            }
                        }
                        state = candidates & ascii[Int(byte)]
                        if state == 0 { return false }
                        started = true
                    }
                    return started ? state & last != 0 : acceptsEmpty
                }
            }
        }
    }
}
