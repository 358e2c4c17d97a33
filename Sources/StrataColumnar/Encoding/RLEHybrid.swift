/// Parquet's RLE / bit-packed hybrid encoding of small unsigned integers (definition levels, dictionary indices).
///
/// A run of 8 or more equal values becomes one RLE run; everything else is bit-packed in groups of 8, LSB first.
enum RLEHybrid {
    /// Appends `values` (each below `1 << bitWidth`) to `out`, without a length prefix.
    static func encode(_ values: ArraySlice<UInt32>, bitWidth: Int, to out: inout [UInt8]) {
        var i = values.startIndex
        while i < values.endIndex {
            let run = runLength(values, at: i)
            if run >= 8 {
                out.appendVarint(UInt64(run) << 1)
                appendRunValue(values[i], bitWidth: bitWidth, to: &out)
                i += run
                continue
            }
            var end = i
            while end < values.endIndex {
                end = min(end + 8, values.endIndex)
                if end < values.endIndex, runLength(values, at: end) >= 8 { break }
            }
            appendBitPacked(values[i..<end], bitWidth: bitWidth, to: &out)
            i = end
        }
    }

    private static func runLength(_ values: ArraySlice<UInt32>, at start: Int) -> Int {
        let value = values[start]
        var end = start + 1
        while end < values.endIndex, values[end] == value { end += 1 }
        return end - start
    }

    private static func appendRunValue(_ value: UInt32, bitWidth: Int, to out: inout [UInt8]) {
        for byte in 0..<((bitWidth + 7) / 8) { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte)))) }
    }

    /// Groups of 8 values, the last padded with zeros.
    private static func appendBitPacked(_ values: ArraySlice<UInt32>, bitWidth: Int, to out: inout [UInt8]) {
        let groups = (values.count + 7) / 8
        out.appendVarint(UInt64(groups) << 1 | 1)
        guard bitWidth > 0 else { return }
        var accumulator: UInt64 = 0
        var bits = 0
        var written = 0
        for value in values {
            accumulator |= UInt64(value) << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
            written += 1
        }
        let paddedBits = (groups * 8 - written) * bitWidth + bits
        if paddedBits > 0 {
            for _ in 0..<((paddedBits + 7) / 8) {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
            }
        }
    }

    /// The number of bits needed for values up to `maxValue`.
    static func bitWidth(forMax maxValue: Int) -> Int { maxValue <= 0 ? 0 : Int.bitWidth - maxValue.leadingZeroBitCount }

    /// Decodes exactly `count` values from `cursor`; padding values in the last bit-packed group are dropped.
    static func decode(_ cursor: inout ByteCursor, bitWidth: Int, count: Int, into out: inout [UInt32]) throws {
        guard (0...32).contains(bitWidth) else { throw ColumnarError.malformed(cursor.format, "RLE bit width \(bitWidth) is not between 0 and 32") }
        out.reserveCapacity(out.count + count)
        var left = count
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while left > 0 {
            let header = try cursor.varint()
            if header & 1 == 0 {
                let run = header >> 1
                guard run > 0 else { throw ColumnarError.malformed(cursor.format, "an RLE run of length 0") }
                var value: UInt32 = 0
                for byte in 0..<((bitWidth + 7) / 8) { value |= UInt32(try cursor.byte()) << (8 * UInt32(byte)) }
                guard UInt64(value) <= mask else { throw ColumnarError.malformed(cursor.format, "an RLE value wider than \(bitWidth) bits") }
                let take = Int(min(run, UInt64(left)))
                out.append(contentsOf: repeatElement(value, count: take))
                left -= take
            } else {
                let groups = header >> 1
                guard groups > 0, groups <= UInt64(Int32.max) else { throw ColumnarError.malformed(cursor.format, "a bit-packed run of \(groups) groups") }
                let valueCount = Int(groups) * 8
                let range = try cursor.take(Int(groups) * bitWidth, "bit-packed values")
                let take = min(valueCount, left)
                unpack(cursor.bytes, range: range, bitWidth: bitWidth, mask: mask, count: take, into: &out)
                left -= take
            }
        }
    }

    private static func unpack(_ bytes: [UInt8], range: Range<Int>, bitWidth: Int, mask: UInt64, count: Int, into out: inout [UInt32]) {
        guard bitWidth > 0 else {
            out.append(contentsOf: repeatElement(0, count: count))
            return
        }
        var accumulator: UInt64 = 0
        var bits = 0
        var index = range.lowerBound
        for _ in 0..<count {
            while bits < bitWidth {
                accumulator |= UInt64(bytes[index]) << UInt64(bits)
                index += 1
                bits += 8
            }
            out.append(UInt32(truncatingIfNeeded: accumulator & mask))
            accumulator >>= UInt64(bitWidth)
            bits -= bitWidth
        }
    }
}
