package import StrataCore

/// A stored aggregation record read in place (an LMDB value, valid only inside its read transaction): the header and
/// section offsets are checked once, then raw events and tiles are read straight from the bytes, without copying them.
package struct AggregationTileRecordView {
    let bytes: UnsafeRawBufferPointer
    package let horizon: Int64
    package let latestSettled: Int64?
    package let foldedMax: EventOrder?
    package let rawCount: Int
    let groupCount: Int
    let inputCount: Int
    let filterCount: Int
    /// Where the u32 offset table and the raw event columns start.
    let table: Int
    let rawStart: Int
    /// The input columns' types, in column order.
    let inputTypes: [ValueType]

    /// Checks the header and that every section lies inside the bytes, in order, and is as long as its count implies.
    /// - Throws: `AggregationDecodingError` for damaged bytes, or a record of another layout.
    package init(_ bytes: UnsafeRawBufferPointer, layout: OnlineAggregationLayout) throws(AggregationDecodingError) {
        self.bytes = bytes
        guard bytes.count >= AggregationTileRecord.headerBytes else { throw AggregationDecodingError(reason: "truncated record header") }
        guard bytes[0] == AggregationTileRecord.formatVersion else { throw AggregationDecodingError(reason: "unknown record format version \(bytes[0])") }
        let flags = bytes[1]
        groupCount = Int(Self.u16(bytes, 2))
        rawCount = Int(Self.u32(bytes, 4))
        horizon = Self.i64(bytes, 8)
        latestSettled = flags & 1 != 0 ? Self.i64(bytes, 16) : nil
        foldedMax = flags & 2 != 0 ? EventOrder(eventTs: Self.i64(bytes, 24), createdTs: Self.i64(bytes, 32), ingestSeq: Self.i64(bytes, 40)) : nil
        inputCount = Int(Self.u16(bytes, 48))
        filterCount = Int(Self.u16(bytes, 50))
        guard groupCount == layout.groups.count, inputCount == layout.columns.inputs.count, filterCount == layout.columns.filters.count else {
            throw AggregationDecodingError(reason: "the record was written for another layout of the view")
        }
        inputTypes = layout.inputTypes
        table = AggregationTileRecord.headerBytes
        rawStart = table + 4 * (groupCount + inputCount + filterCount)
        guard rawCount <= (bytes.count - min(bytes.count, rawStart)) / 32 else { throw AggregationDecodingError(reason: "truncated raw events") }
        // Sections in stored order: input columns, conditions, groups; each must start where the previous one may end.
        var position = rawStart + 32 * rawCount
        let bitmap = (rawCount + 7) / 8
        for column in 0..<inputCount {
            let start = sectionStart(groupCount + column)
            guard start == position else { throw AggregationDecodingError(reason: "misplaced input column") }
            position = try columnEnd(column, start: start, bitmap: bitmap)
        }
        for column in 0..<filterCount {
            guard sectionStart(groupCount + inputCount + column) == position, bytes.count - position >= bitmap else {
                throw AggregationDecodingError(reason: "misplaced condition column")
            }
            position += bitmap
        }
        for group in 0..<groupCount {
            guard sectionStart(group) >= position, sectionStart(group) <= bytes.count else { throw AggregationDecodingError(reason: "misplaced tile group") }
            position = sectionStart(group)
        }
    }

    /// Where a column's data ends, after checking it fits (strings: the offsets must rise and stay inside the bytes).
    private func columnEnd(_ column: Int, start: Int, bitmap: Int) throws(AggregationDecodingError) -> Int {
        let data = start + bitmap
        let width: Int
        switch inputTypes[column] {
        case .int64, .timestamp, .float64: width = 8 * rawCount
        case .bool: width = rawCount
        case .string:
            guard bytes.count - min(bytes.count, data) >= 4 * (rawCount + 1) else { throw AggregationDecodingError(reason: "truncated text offsets") }
            var previous: UInt32 = 0
            for i in 0...rawCount {
                let offset = Self.u32(bytes, data + 4 * i)
                guard offset >= previous else { throw AggregationDecodingError(reason: "text offsets out of order") }
                previous = offset
            }
            width = 4 * (rawCount + 1) + Int(previous)
        }
        guard bytes.count - min(bytes.count, data) >= width else { throw AggregationDecodingError(reason: "truncated input column") }
        return data + width
    }

    @inline(__always) private func sectionStart(_ index: Int) -> Int { Int(Self.u32(bytes, table + 4 * index)) }

    @inline(__always) package func eventTs(_ i: Int) -> Int64 { Self.i64(bytes, rawStart + 8 * i) }
    @inline(__always) package func createdTs(_ i: Int) -> Int64 { Self.i64(bytes, rawStart + 8 * (rawCount + i)) }
    @inline(__always) package func ingestSeq(_ i: Int) -> Int64 { Self.i64(bytes, rawStart + 8 * (2 * rawCount + i)) }
    @inline(__always) package func until(_ i: Int) -> Int64 { Self.i64(bytes, rawStart + 8 * (3 * rawCount + i)) }

    package func order(_ i: Int) -> EventOrder { EventOrder(eventTs: eventTs(i), createdTs: createdTs(i), ingestSeq: ingestSeq(i)) }

    /// True when raw version `i` counts at `t`: known by then, and not yet replaced.
    @inline(__always) package func counts(_ i: Int, at t: Int64) -> Bool { createdTs(i) <= t && t < until(i) }

    /// The value of input column `column` for raw version `i`.
    /// - Throws: `AggregationDecodingError` for text that is not UTF-8.
    package func input(_ column: Int, _ i: Int) throws(AggregationDecodingError) -> Value {
        let start = sectionStart(groupCount + column)
        if bytes[start + i / 8] & (1 << UInt8(i % 8)) != 0 { return .null }
        let data = start + (rawCount + 7) / 8
        switch inputTypes[column] {
        case .int64, .timestamp: return .int(Self.i64(bytes, data + 8 * i))
        case .float64: return .float(Double(bitPattern: UInt64(bitPattern: Self.i64(bytes, data + 8 * i))))
        case .bool: return .bool(bytes[data + i] != 0)
        case .string:
            let texts = data + 4 * (rawCount + 1)
            let from = texts + Int(Self.u32(bytes, data + 4 * i)), to = texts + Int(Self.u32(bytes, data + 4 * (i + 1)))
            guard let text = String(validating: bytes[from..<to], as: UTF8.self) else { throw AggregationDecodingError(reason: "text is not UTF-8") }
            return .string(text)
        }
    }

    /// True when condition column `column` holds for raw version `i`.
    @inline(__always)
    package func condition(_ column: Int, _ i: Int) -> Bool {
        bytes[sectionStart(groupCount + inputCount + column) + i / 8] & (1 << UInt8(i % 8)) != 0
    }

    /// A reader over tile group `group`'s section (it ends where the next group starts, or at the end).
    package func groupReader(_ group: Int) -> CompactReader {
        let start = sectionStart(group)
        let end = group + 1 < groupCount ? sectionStart(group + 1) : bytes.count
        return CompactReader(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    @inline(__always) static func i64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Int64 {
        Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    @inline(__always) static func u32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) static func u16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
}
