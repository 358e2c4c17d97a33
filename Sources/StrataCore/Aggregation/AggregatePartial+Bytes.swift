extension AggregationKernel {
    static let partialFormatVersion: UInt8 = 1

    /// A partial as bytes, for a tile store: version, count, then only the fields this function uses
    /// (little-endian integers, IEEE bits for floats, tagged values, the sketch's own bytes).
    public func bytes(of partial: AggregatePartial) -> [UInt8] {
        var out: [UInt8] = [Self.partialFormatVersion]
        PartialWriter.int(partial.count, &out)
        guard partial.count > 0 else { return out }
        switch kind {
        case .countRows, .countValues:
            break
        case .exactSum, .exactAverage:
            PartialWriter.int(partial.exact.high, &out)
            PartialWriter.int(Int64(bitPattern: partial.exact.low), &out)
        case .floatSum, .floatAverage:
            PartialWriter.int(Int64(bitPattern: partial.sum.bitPattern), &out)
        case .variance, .stddev:
            PartialWriter.int(Int64(bitPattern: partial.sum.bitPattern), &out)
            PartialWriter.int(Int64(bitPattern: partial.m2.bitPattern), &out)
        case .min, .max:
            PartialWriter.value(partial.value, &out)
        case .first, .last:
            PartialWriter.value(partial.value, &out)
            PartialWriter.int(partial.order.eventTs, &out)
            PartialWriter.int(partial.order.createdTs, &out)
            PartialWriter.int(partial.order.ingestSeq, &out)
        case .distinct:
            out += (partial.sketch ?? HyperLogLog()).bytes
        }
        return out
    }

    /// Reads a partial written by `bytes(of:)` for this same function and input type.
    /// - Throws: `AggregationDecodingError` for truncated or malformed bytes; `HyperLogLogError` for a damaged sketch.
    public func partial(fromBytes bytes: some Collection<UInt8>) throws -> AggregatePartial {
        var reader = PartialReader(bytes: Array(bytes))
        guard try reader.byte() == Self.partialFormatVersion else { throw AggregationDecodingError("unknown partial format version") }
        var partial = AggregatePartial()
        partial.folded = try reader.int()
        guard partial.count >= 0 else { throw AggregationDecodingError("negative count") }
        if partial.count > 0 {
            switch kind {
            case .countRows, .countValues:
                break
            case .exactSum, .exactAverage:
                partial.exact = WideSum(high: try reader.int(), low: UInt64(bitPattern: try reader.int()))
            case .floatSum, .floatAverage:
                partial.sum = Double(bitPattern: UInt64(bitPattern: try reader.int()))
            case .variance, .stddev:
                partial.sum = Double(bitPattern: UInt64(bitPattern: try reader.int()))
                partial.m2 = Double(bitPattern: UInt64(bitPattern: try reader.int()))
            case .min, .max:
                partial.chosen = ChosenValue(try reader.value(), .unordered)
            case .first, .last:
                let value = try reader.value()
                partial.chosen = ChosenValue(value, EventOrder(eventTs: try reader.int(), createdTs: try reader.int(), ingestSeq: try reader.int()))
            case .distinct:
                partial.sketchBox = SketchBox(try HyperLogLog(bytes: reader.rest()))
                reader.position = reader.bytes.count
            }
        }
        guard reader.position == reader.bytes.count else { throw AggregationDecodingError("\(reader.bytes.count - reader.position) bytes after the partial") }
        return partial
    }
}

/// Bytes that are not a partial of the expected function.
public struct AggregationDecodingError: StrataError, Hashable {
    public var what: String
    public var location: SourceLocation? { nil }
    public var fix: String? { "the stored partial is damaged or from another Strata version; recompute it from the source rows" }

    init(_ what: String) {
        self.what = "cannot read an aggregate partial: \(what)"
    }
}

enum PartialWriter {
    static func int(_ value: Int64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    /// A tag byte (0 null, 1 int, 2 float, 3 string, 4 bool) and the payload.
    static func value(_ value: Value, _ out: inout [UInt8]) {
        switch value {
        case .null: out.append(0)
        case .int(let v): out.append(1); int(v, &out)
        case .float(let v): out.append(2); int(Int64(bitPattern: v.bitPattern), &out)
        case .string(let s):
            out.append(3)
            int(Int64(s.utf8.count), &out)
            out += s.utf8
        case .bool(let b): out.append(4); out.append(b ? 1 : 0)
        }
    }
}

struct PartialReader {
    let bytes: [UInt8]
    var position = 0

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw AggregationDecodingError("truncated") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func int() throws -> Int64 {
        guard position + 8 <= bytes.count else { throw AggregationDecodingError("truncated") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[position + i]) << UInt64(8 * i) }
        position += 8
        return Int64(bitPattern: value)
    }

    mutating func value() throws -> Value {
        switch try byte() {
        case 0: return .null
        case 1: return .int(try int())
        case 2: return .float(Double(bitPattern: UInt64(bitPattern: try int())))
        case 3:
            let count = try int()
            guard count >= 0, count <= bytes.count - position else { throw AggregationDecodingError("truncated text") }
            let text = bytes[position..<(position + Int(count))]
            position += Int(count)
            let string = String(decoding: text, as: UTF8.self)
            guard string.utf8.elementsEqual(text) else { throw AggregationDecodingError("text is not UTF-8") }
            return .string(string)
        case 4: return .bool(try byte() != 0)
        default: throw AggregationDecodingError("unknown value tag")
        }
    }

    func rest() -> ArraySlice<UInt8> { bytes[position...] }
}
