extension HyperLogLog {
    /// The sketch in the tile store's compact form: a mode byte, then a varint count and the sparse entries (each a
    /// little-endian UInt32), or the 4,096 dense registers. A one-value sketch takes 6 bytes.
    package func appendCompact(to out: inout [UInt8]) {
        if isDense {
            out.append(1)
            out.append(contentsOf: dense)
            return
        }
        out.append(0)
        CompactWriter.varint(UInt64(sparse.count), &out)
        for entry in sparse { CompactWriter.uint32(entry, &out) }
    }

    /// Reads a compact sketch, checking it as `init(bytes:)` does.
    package init(compact reader: inout CompactReader) throws(AggregationDecodingError) {
        self.init()
        switch try Self.readCompact(&reader) {
        case .dense(let start):
            dense = Array(reader.bytes[start..<(start + Self.registerCount)])
        case .sparse(let start, let count):
            sparse.reserveCapacity(count)
            for i in 0..<count { sparse.append(Self.entry(reader.bytes, start, i)) }
        }
    }

    /// Merges a compact sketch read in place, with the same result as `merge` of the decoded sketch but without
    /// building it: the online tile store merges a window's stored tiles this way.
    package mutating func mergeCompact(_ reader: inout CompactReader) throws(AggregationDecodingError) {
        switch try Self.readCompact(&reader) {
        case .dense(let start):
            let registers = reader.bytes
            mergeDense { index in registers[start + index] }
        case .sparse(let start, let count):
            let bytes = reader.bytes
            mergeSparse((0..<count).lazy.map { Self.entry(bytes, start, $0) })
        }
    }

    /// Skips a compact sketch after checking it, as `init(compact:)` would, without building it: a read skips the
    /// tiles of a group that lie before its window.
    /// - Throws: `AggregationDecodingError` for truncated or malformed bytes.
    package static func skipCompact(_ reader: inout CompactReader) throws(AggregationDecodingError) {
        _ = try readCompact(&reader)
    }

    private enum CompactLayout {
        case dense(start: Int)
        case sparse(start: Int, count: Int)
    }

    /// Checks a compact sketch and skips over it: dense registers at most `rankMax`; sparse entries within range and
    /// strictly ascending by index, as many as a sparse sketch may hold.
    private static func readCompact(_ reader: inout CompactReader) throws(AggregationDecodingError) -> CompactLayout {
        switch try reader.byte() {
        case 1:
            let start = try reader.skip(registerCount)
            for i in 0..<registerCount where reader.bytes[start + i] > rankMax {
                throw AggregationDecodingError("a register exceeds \(rankMax)")
            }
            return .dense(start: start)
        case 0:
            let count = try reader.count()
            guard count <= sparseMax, reader.remaining / 4 >= count else { throw AggregationDecodingError("a sparse sketch has too many entries") }
            let start = try reader.skip(4 * count)
            var previous: UInt32?
            for i in 0..<count {
                let entry = entry(reader.bytes, start, i)
                let rank = entry & 0x3F
                guard previous.map({ $0 >> 6 < entry >> 6 }) ?? true, rank >= 1, rank <= sparseRankMax else {
                    throw AggregationDecodingError("sparse entry \(i) is out of order or out of range")
                }
                previous = entry
            }
            return .sparse(start: start, count: count)
        default:
            throw AggregationDecodingError("unknown sketch mode")
        }
    }

    @inline(__always)
    private static func entry(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ i: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self))
    }
}
