import CStrataSHA256

/// SHA-256 (FIPS 180-4) for content hashes of source files, spines and outputs.
///
/// The block function is C (`CStrataSHA256`): the CPU's SHA extensions when it has them, portable C otherwise.
/// Measured in CPU time on this project's 2-core EPYC (issue 12): 1.8 GB/s with the extensions, 320 MB/s portable,
/// against ~350 MB/s for the Swift implementation this replaced — every ingest hashes its file twice (before and while
/// parsing). swift-crypto would give the same speed for a BoringSSL build of several minutes on 2 cores.
public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// A partial block waiting for more bytes: `pending` bytes of it are valid.
    private var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var pending = 0
    private var length: UInt64 = 0

    public init() {}

    /// Whether this CPU hashes with its SHA extensions.
    public static var isAccelerated: Bool { strata_sha256_accelerated() != 0 }

    /// Hex digest of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(Array(bytes))
        return hasher.finalizeHex()
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        length &+= UInt64(bytes.count)
        var index = 0
        if pending > 0 {
            let take = min(64 - pending, bytes.count)
            let offset = pending
            withUnsafeMutableBytes(of: &block) { $0.baseAddress.map { memcopy($0 + offset, base, take) } }
            pending += take
            index = take
            guard pending == 64 else { return }
            let full = block
            withUnsafeBytes(of: full) { compress($0.baseAddress, blocks: 1) }
            pending = 0
        }
        let whole = (bytes.count - index) / 64
        if whole > 0 {
            compress(base + index, blocks: whole)
            index += whole * 64
        }
        let rest = bytes.count - index
        if rest > 0 {
            withUnsafeMutableBytes(of: &block) { $0.baseAddress.map { memcopy($0, base + index, rest) } }
            pending = rest
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func finalizeHex() -> String {
        let bitLength = length &* 8
        var padding: [UInt8] = [0x80]
        let total = (pending + 1) % 64
        padding += [UInt8](repeating: 0, count: total <= 56 ? 56 - total : 120 - total)
        for shift in stride(from: 56, through: 0, by: -8) { padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        let savedLength = length
        update(padding)
        length = savedLength
        let hexDigits: StaticString = "0123456789abcdef"
        var out: [UInt8] = []
        out.reserveCapacity(64)
        withUnsafeBytes(of: state) { words in
            for word in words.bindMemory(to: UInt32.self) {
                for shift in stride(from: 28, through: 0, by: -4) { out.append(hexDigits.utf8Start[Int((word >> UInt32(shift)) & 0xf)]) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func compress(_ data: UnsafeRawPointer?, blocks: Int) {
        guard let data else { return }
        withUnsafeMutableBytes(of: &state) { words in
            guard let words = words.baseAddress?.assumingMemoryBound(to: UInt32.self) else { return }
            strata_sha256_blocks(words, data.assumingMemoryBound(to: UInt8.self), blocks)
        }
    }
}

/// `memcpy` without importing Foundation into StrataCore's type layer.
private func memcopy(_ destination: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ count: Int) {
    destination.copyMemory(from: source, byteCount: count)
}
