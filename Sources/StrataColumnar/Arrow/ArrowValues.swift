/// Decoders of Arrow's value buffers, each checking the buffer is long enough for `count` values.
enum ArrowValues {
    private static func tooShort(_ what: String) -> ColumnarError { .malformed("Arrow IPC", "a \(what) buffer is shorter than its row count needs") }

    static func integers(_ buffer: [UInt8], layout: ArrowLayout, count: Int) throws -> [Int64] {
        guard case .int(let bitWidth, let isSigned) = layout else { throw ColumnarError.malformed("Arrow IPC", "dictionary indices are not integers") }
        let width = bitWidth / 8
        guard buffer.count / width >= count else { throw tooShort("integer") }
        var out = [Int64](repeating: 0, count: count)
        try buffer.withUnsafeBytes { raw in
            for i in 0..<count {
                let at = i * width
                switch (width, isSigned) {
                case (1, true): out[i] = Int64(raw.load(fromByteOffset: at, as: Int8.self))
                case (1, false): out[i] = Int64(raw.load(fromByteOffset: at, as: UInt8.self))
                case (2, true): out[i] = Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int16.self)))
                case (2, false): out[i] = Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
                case (4, true): out[i] = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self)))
                case (4, false): out[i] = Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                case (_, true): out[i] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int64.self))
                default:
                    let value = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                    guard let exact = Int64(exactly: value) else {
                        throw ColumnarError(.unsupported, "the unsigned value \(value) exceeds int64", fix: "store values up to \(Int64.max)")
                    }
                    out[i] = exact
                }
            }
        }
        return out
    }

    static func floats(_ buffer: [UInt8], width: Int, count: Int) throws -> [Double] {
        guard buffer.count / width >= count else { throw tooShort("float") }
        return buffer.withUnsafeBytes { raw in
            (0..<count).map { i in
                width == 4 ? Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))
                           : Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
            }
        }
    }

    /// A bitmap (validity or booleans), least significant bit first.
    static func bits(_ buffer: [UInt8], count: Int) throws -> [Bool] {
        guard buffer.count >= (count + 7) / 8 else { throw tooShort("bitmap") }
        return (0..<count).map { buffer[$0 >> 3] >> UInt8($0 & 7) & 1 == 1 }
    }

    /// Timestamps in `perSecond` units scaled to microseconds (nanoseconds round down).
    static func microseconds(_ values: [Int64], perSecond: Int64) throws -> [Int64] {
        switch perSecond {
        case 1_000_000: return values
        case 1_000_000_000:
            return values.map { v in
                let (q, r) = v.quotientAndRemainder(dividingBy: 1000)
                return r < 0 ? q - 1 : q
            }
        default:
            let factor = 1_000_000 / perSecond
            return try values.map { v in
                let (micros, overflow) = v.multipliedReportingOverflow(by: factor)
                guard !overflow else { throw ColumnarError(.unsupported, "timestamp \(v) is out of range", fix: "write timestamps between years 1 and 9999") }
                return micros
            }
        }
    }

    static func strings(offsets buffer: [UInt8], offsetBytes: Int, data: [UInt8], count: Int, isText: Bool) throws -> ColumnarStrings {
        let offsets = try integers(buffer, layout: .int(bitWidth: offsetBytes * 8, isSigned: true), count: count + 1)
        var out = ColumnarStrings()
        out.reserveCapacity(count: count, bytes: data.count)
        for i in 0..<count {
            let start = offsets[i], end = offsets[i + 1]
            guard start >= 0, start <= end, end <= Int64(data.count) else { throw ColumnarError.malformed("Arrow IPC", "string offsets out of order or out of range") }
            let bytes = data[Int(start)..<Int(end)]
            try checkText(bytes, isText: isText)
            out.append(bytes: bytes)
        }
        return out
    }

    /// Utf8View / BinaryView: 16-byte views, inline up to 12 bytes, else (prefix, buffer index, offset).
    static func views(_ views: [UInt8], data: [[UInt8]], count: Int, isText: Bool) throws -> ColumnarStrings {
        guard views.count / 16 >= count else { throw tooShort("view") }
        var out = ColumnarStrings()
        try views.withUnsafeBytes { raw in
            for i in 0..<count {
                let at = i * 16
                let length = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self)))
                guard length >= 0 else { throw ColumnarError.malformed("Arrow IPC", "a string view of negative length") }
                let bytes: ArraySlice<UInt8>
                if length <= 12 {
                    bytes = views[(at + 4)..<(at + 4 + length)]
                } else {
                    let index = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: Int32.self)))
                    let offset = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 12, as: Int32.self)))
                    guard index >= 0, index < data.count, let range = checkedRange(offset: offset, length: Int64(length), limit: data[index].count) else {
                        throw ColumnarError.malformed("Arrow IPC", "a string view points outside its data buffers")
                    }
                    bytes = data[index][range]
                }
                try checkText(bytes, isText: isText)
                out.append(bytes: bytes)
            }
        }
        return out
    }

    private static func checkText(_ bytes: ArraySlice<UInt8>, isText: Bool) throws {
        guard !isText, String(validating: bytes, as: UTF8.self) == nil else { return }
        throw ColumnarError(.unsupported, "a binary column holds bytes that are not UTF-8 text", fix: "store text in the column, or drop it from the spine")
    }

    /// A dictionary-encoded column decoded: each valid row takes the dictionary entry its index names.
    static func gather(_ dictionary: ColumnarColumn, indices: [Int64], validity: [Bool]?) throws -> ColumnarColumn {
        let size = dictionary.count
        var outValidity = validity ?? [Bool](repeating: true, count: indices.count)
        for (row, index) in indices.enumerated() where outValidity[row] {
            guard index >= 0, index < Int64(size) else { throw ColumnarError.malformed("Arrow IPC", "dictionary index \(index) is out of range (\(size) entries)") }
            if dictionary.isNull(Int(index)) { outValidity[row] = false }
        }
        func entry(_ row: Int) -> Int { outValidity[row] ? Int(indices[row]) : 0 }
        let values: ColumnarColumn.Values
        switch dictionary.values {
        case .int64(let v): values = .int64(indices.indices.map { outValidity[$0] ? v[entry($0)] : 0 })
        case .float64(let v): values = .float64(indices.indices.map { outValidity[$0] ? v[entry($0)] : 0 })
        case .bool(let v): values = .bool(indices.indices.map { outValidity[$0] && v[entry($0)] })
        case .string(let v):
            var out = ColumnarStrings()
            for row in indices.indices {
                if outValidity[row] { out.append(bytes: v.utf8(entry(row))) } else { out.appendEmpty() }
            }
            values = .string(out)
        }
        return ColumnarColumn(values, validity: outValidity.contains(false) ? outValidity : nil)
    }
}
