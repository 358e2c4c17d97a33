import Foundation

/// The distinct strings of a column chunk, in first-seen order, and each value's index among them.
///
/// An open-addressing hash table over byte ranges of the chunk's string buffer: no per-value allocation.
struct StringDictionary {
    /// Byte ranges (into the chunk's buffer) of the distinct values, in first-seen order.
    private(set) var entries: [Range<Int>] = []
    /// Bytes the dictionary page will take: a 4-byte length plus the bytes of each entry.
    private(set) var plainBytes = 0

    /// Builds the dictionary of `strings`, or returns nil once it would take more than `bytesMax` bytes.
    static func build(_ strings: ColumnarStrings, bytesMax: Int, indices: inout [UInt32]) -> StringDictionary? {
        var dictionary = StringDictionary()
        var slots = [Int32](repeating: -1, count: 1024)
        var mask = slots.count - 1
        indices.removeAll(keepingCapacity: true)
        indices.reserveCapacity(strings.count)
        return strings.bytes.withUnsafeBytes { buffer -> StringDictionary? in
            for value in 0..<strings.count {
                let range = strings.offsets[value]..<strings.offsets[value + 1]
                let hash = Self.hash(buffer, range)
                var slot = hash & mask
                while true {
                    let entry = Int(slots[slot])
                    if entry < 0 {
                        dictionary.entries.append(range)
                        dictionary.plainBytes += 4 + range.count
                        if dictionary.plainBytes > bytesMax { return nil }
                        slots[slot] = Int32(dictionary.entries.count - 1)
                        indices.append(UInt32(dictionary.entries.count - 1))
                        break
                    }
                    if Self.equal(buffer, dictionary.entries[entry], range) {
                        indices.append(UInt32(entry))
                        break
                    }
                    slot = (slot + 1) & mask
                }
                if dictionary.entries.count * 2 > slots.count {
                    slots = dictionary.rehash(buffer, capacity: slots.count * 2)
                    mask = slots.count - 1
                }
            }
            return dictionary
        }
    }

    private func rehash(_ buffer: UnsafeRawBufferPointer, capacity: Int) -> [Int32] {
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for (index, range) in entries.enumerated() {
            var slot = Self.hash(buffer, range) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
        return slots
    }

    private static func equal(_ buffer: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        guard let base = buffer.baseAddress, !a.isEmpty else { return true }
        return memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
    }

    /// A fast non-cryptographic hash (8 bytes at a time, multiply-xorshift mixing).
    private static func hash(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(range.count)
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            h = (h ^ buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < range.upperBound {
            tail |= UInt64(buffer[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }
}

/// Byte-wise (unsigned, as UTF-8 sorts) comparison of two ranges of one buffer.
func compareBytes(_ buffer: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Int {
    let common = min(a.count, b.count)
    if common > 0, let base = buffer.baseAddress {
        let order = memcmp(base + a.lowerBound, base + b.lowerBound, common)
        if order != 0 { return Int(order) }
    }
    return a.count - b.count
}
