// Timestamps and durations: every accepted spelling normalises to UTC microseconds, every bad one is refused with a reason.
// Table-driven cases straight from SPEC "Time".
import CStrataSHA256
import Testing
@testable import StrataCore

@Suite struct TimeTests {
    @Test("RFC 3339 input with Z or an offset normalises to the same UTC instant", arguments: [
        ("2026-03-01T12:00:00Z", Int64(1_772_366_400_000_000)),
        ("2026-03-01T17:30:00+05:30", 1_772_366_400_000_000),
        ("2026-03-01T07:00:00-05:00", 1_772_366_400_000_000),
        ("2026-03-01 12:00:00Z", 1_772_366_400_000_000),
        ("2026-03-01T12:00:00.5Z", 1_772_366_400_500_000),
        ("2026-03-01T12:00:00.000001Z", 1_772_366_400_000_001),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999999Z", -1),
        ("2024-02-29T00:00:00+0000", 1_709_164_800_000_000),
    ])
    func parsesInstants(text: String, micros: Int64) throws {
        #expect(try Timestamp.parse(text).get() == micros)
    }

    @Test("bad timestamps are refused with the reason", arguments: [
        ("2026-03-01T12:00:00", "no time zone"),
        ("2026-02-30T00:00:00Z", "not an RFC 3339"),
        ("2026-03-01T24:00:00Z", "not an RFC 3339"),
        ("2026-03-01T12:00:00.1234567Z", "more than 6 fractional"),
        ("yesterday", "not an RFC 3339"),
        ("2026-03-01T12:00:00Zjunk", "not an RFC 3339"),
        ("", "not an RFC 3339"),
    ])
    func refusesBadTimestamps(text: String, reason: String) {
        guard case .failure(let failure) = Timestamp.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(failure.description.contains(reason))
    }

    @Test("a zoneless timestamp is UTC only when the source declares it")
    func zonelessWithDeclaredUTC() throws {
        #expect(try Timestamp.parse("2026-03-01T12:00:00", assumeUTC: true).get() == 1_772_366_400_000_000)
    }

    @Test("formatting renders Z with microseconds and round-trips", arguments: [Int64(0), -1, 1_772_366_400_000_001, Timestamp.minMicros, Timestamp.maxMicros])
    func formatRoundTrips(micros: Int64) throws {
        let text = Timestamp.format(micros)
        #expect(text.hasSuffix("Z"))
        #expect(try Timestamp.parse(text).get() == micros)
    }

    @Test("formatting pins the exact text")
    func formatExact() {
        #expect(Timestamp.format(1_772_366_400_000_001) == "2026-03-01T12:00:00.000001Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59.999999Z")
    }

    @Test("epoch integers convert by their declared unit")
    func epochUnits() {
        #expect(Timestamp.fromEpoch(1_772_366_400, unit: .s) == 1_772_366_400_000_000)
        #expect(Timestamp.fromEpoch(1_772_366_400_000, unit: .ms) == 1_772_366_400_000_000)
        #expect(Timestamp.fromEpoch(Int64.max, unit: .s) == nil)
    }

    @Test("durations parse, combine and render", arguments: [
        ("90s", Int64(90_000_000)), ("15m", 900_000_000), ("2h", 7_200_000_000), ("7d", 604_800_000_000),
        ("1d12h", 129_600_000_000), ("1w", 604_800_000_000), ("0", 0),
    ])
    func durations(text: String, micros: Int64) throws {
        #expect(try FeatureDuration.parse(text).get() == micros)
    }

    @Test("bad durations are refused", arguments: ["", "5", "h", "2x", "1h1d", "1h1h", "-5m", "99999999999999999999d"])
    func badDurations(text: String) {
        #expect(throws: DurationParseFailure.self) { try FeatureDuration.parse(text).get() }
    }

    @Test("duration formatting uses the largest exact units")
    func durationFormat() {
        #expect(FeatureDuration.format(129_600_000_000) == "1d12h")
        #expect(FeatureDuration.format(7_200_000_000) == "2h")
    }
}

@Suite struct SHA256Tests {
    @Test("SHA-256 matches the FIPS test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func vectors(input: String, digest: String) {
        #expect(SHA256.hex(Array(input.utf8)) == digest)
    }

    @Test("hashing in pieces equals hashing at once")
    func incremental() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var hasher = SHA256()
        hasher.update(Array(bytes[0..<3]))
        hasher.update(Array(bytes[3..<130]))
        hasher.update(Array(bytes[130...]))
        #expect(hasher.finalizeHex() == SHA256.hex(bytes))
    }

    // On a CPU without SHA extensions both calls run the portable code, so the comparison could not fail: skipped there.
    @Test("the accelerated block function equals the portable one, block counts 1 to 40",
          .enabled(if: strata_sha256_accelerated() == 1, "this CPU has no SHA extensions: the accelerated path is the portable one"))
    func acceleratedEqualsPortable() {
        let bytes = (0..<(64 * 40)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        for blocks in 1...40 {
            var fast: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
            var portable = fast
            strata_sha256_blocks(&fast, bytes, blocks)
            strata_sha256_blocks_portable(&portable, bytes, blocks)
            #expect(fast == portable, "\(blocks) blocks")
        }
    }

    @Test("every split of a message across updates gives the same digest")
    func splits() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hex(bytes)
        for first in stride(from: 0, through: 300, by: 7) {
            for second in stride(from: first, through: 300, by: 23) {
                var hasher = SHA256()
                hasher.update(Array(bytes[0..<first]))
                hasher.update(Array(bytes[first..<second]))
                hasher.update(Array(bytes[second...]))
                #expect(hasher.finalizeHex() == whole)
            }
        }
    }
}
