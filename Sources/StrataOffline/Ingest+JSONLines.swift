import Foundation
import StrataCore

/// A JSON scalar as it appears in a JSON Lines record; numbers keep whether they were integers.
enum JSONScalar: Decodable {
    case null, bool(Bool), int(Int64), double(Double), string(String), nested

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let i = try? container.decode(Int64.self) { self = .int(i) }
        else if let d = try? container.decode(Double.self) { self = .double(d) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else { self = .nested }
    }

    init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let v): self = .int(v)
        case .float(let v): self = .double(v)
        case .string(let s): self = .string(s)
        }
    }
}

extension IngestRun {
    /// Reads JSON Lines records (one object per line) from `offset`; returns the line number after the last record.
    func readJSONLines(from offset: Int, line startLine: Int, into sink: inout RowSink) throws -> Int {
        let decoder = JSONDecoder()
        var line = startLine
        var position = offset
        var values = Array(repeating: Value.null, count: request.source.columns.count)
        while position < bytes.count {
            var end = position
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            defer { position = end + 1; line += 1 }
            let raw = String(decoding: slice, as: UTF8.self)
            if raw.allSatisfy(\.isWhitespace) { continue }
            guard String(validating: slice, as: UTF8.self) != nil else {
                try sink.quarantine(line: line, column: nil, raw: raw, reason: "is not valid UTF-8")
                continue
            }
            // Flat objects (the common case, and every push) are read without Foundation; anything else goes to JSONDecoder.
            let flat = FlatJSON.object(raw).map { pairs in Dictionary(pairs.map { ($0.0, JSONScalar($0.1)) }, uniquingKeysWith: { _, last in last }) }
            guard let object = flat ?? (try? decoder.decode([String: JSONScalar].self, from: Data(slice))) else {
                try sink.quarantine(line: line, column: nil, raw: raw, reason: "is not a JSON object on one line")
                continue
            }
            switch decode(object, into: &values) {
            case .success(let times): try sink.insert(line: line, event: times.event, created: times.created, values: values)
            case .failure(let failure): try sink.quarantine(line: line, column: nil, raw: raw, reason: failure.reason)
            }
        }
        return line
    }

    private func decode(_ object: [String: JSONScalar], into values: inout [Value]) -> Result<(event: Int64, created: Int64?), SourceRowDecoder.Failure> {
        let source = request.source
        func time(_ spec: TimestampColumn) -> Result<Int64?, SourceRowDecoder.Failure> {
            switch object[spec.column] ?? .null {
            case .null: return .success(nil)
            case .int(let raw) where spec.epochUnit != nil:
                guard let unit = spec.epochUnit, let micros = Timestamp.fromEpoch(raw, unit: unit) else { break }
                return .success(micros)
            case .string(let text) where spec.epochUnit == nil:
                switch Timestamp.parse(text, assumeUTC: spec.assumesUTC) {
                case .success(let micros): return .success(micros)
                case .failure(let failure): return .failure(.init(reason: "field `\(spec.column)`: \(failure)", column: nil))
                }
            default: break
            }
            return .failure(.init(reason: "field `\(spec.column)` is not \(spec.epochUnit.map { "an epoch time in \($0.rawValue)" } ?? "an RFC 3339 string")", column: nil))
        }
        let event: Int64
        switch time(source.timestamp) {
        case .success(let value?): event = value
        case .success(nil): return .failure(.init(reason: "field `\(source.timestamp.column)`: the event time is missing", column: nil))
        case .failure(let f): return .failure(f)
        }
        var created: Int64?
        if let spec = source.created {
            switch time(spec) {
            case .success(let value?): created = value
            case .success(nil): return .failure(.init(reason: "field `\(spec.column)`: the created time is missing", column: nil))
            case .failure(let f): return .failure(f)
            }
        }
        for (i, column) in source.columns.enumerated() {
            let scalar = object[column.name] ?? .null
            guard let value = Self.convert(scalar, to: column.type) else {
                return .failure(.init(reason: "field `\(column.name)`: \(scalar) is not \(SourceRowDecoder.article(column.type)) \(column.type)", column: nil))
            }
            if value.isNull, request.keyColumns.contains(column.name) {
                return .failure(.init(reason: "field `\(column.name)`: the join key is missing", column: nil))
            }
            values[i] = value
        }
        return .success((event, created))
    }

    static func convert(_ scalar: JSONScalar, to type: ValueType) -> Value? {
        switch (scalar, type) {
        case (.null, _): return .null
        case (.int(let v), .int64): return .int(v)
        case (.int(let v), .float64): return .float(Double(v))
        case (.double(let v), .float64): return v.isFinite ? .float(v) : nil
        case (.bool(let v), .bool): return .bool(v)
        case (.string(let v), .string): return .string(v)
        case (.string(let v), .timestamp): return (try? Timestamp.parse(v).get()).map(Value.int)
        default: return nil
        }
    }
}
