import Foundation
import StrataCore

/// A JSON scalar as it appears in a JSON Lines record or a pushed row; numbers keep whether they were integers.
public enum JSONScalar: Decodable, Sendable, Hashable {
    case null, bool(Bool), int(Int64), double(Double), string(String), nested

    public init(from decoder: any Decoder) throws {
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

extension SourceRecordReader {
    /// Reads JSON Lines records (one object per line) from `start` through a sliding window; returns the line number
    /// after the last record.
    func readJSONLines<Sink: SourceRowSink>(_ window: inout SourceWindow, from start: IngestRun.Start, into sink: inout Sink, sizeBytes: Int) throws -> Int {
        var line = start.line
        var values = Array(repeating: Value.null, count: request.source.columns.count)
        try window.skip(to: start.offset)
        try window.parseAll(recordLine: { line }) { bytes, isFinal, base in
            var position = 0
            while position < bytes.count {
                guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) ?? (isFinal ? bytes.count : nil) else { return (position, true) }
                try ingestLine(UnsafeRawBufferPointer(rebasing: bytes[position..<end]), line: line, into: &sink, values: &values)
                position = end + 1
                line += 1
                if sink.rowsRead & 0xFFFF == 0 { progress?(base + position, sizeBytes) }
            }
            return (bytes.count, false)
        }
        progress?(sizeBytes, sizeBytes)
        return line
    }

    private func ingestLine<Sink: SourceRowSink>(_ slice: UnsafeRawBufferPointer, line: Int, into sink: inout Sink, values: inout [Value]) throws {
        let raw = String(decoding: slice, as: UTF8.self)
        if raw.allSatisfy(\.isWhitespace) { return }
        guard String(validating: slice, as: UTF8.self) != nil else {
            try sink.quarantine(line: line, column: nil, raw: raw, reason: "is not valid UTF-8")
            return
        }
        // Flat objects (the common case) are read without Foundation; anything else goes to JSONDecoder.
        let flat = FlatJSON.object(raw).map { pairs in Dictionary(pairs.map { ($0.0, JSONScalar($0.1)) }, uniquingKeysWith: { _, last in last }) }
        let object: [String: JSONScalar]
        if let flat {
            object = flat
        } else {
            do {
                object = try JSONDecoder().decode([String: JSONScalar].self, from: Data(slice))
            } catch {
                try sink.quarantine(line: line, column: nil, raw: raw, reason: "is not a JSON object on one line")
                return
            }
        }
        switch decode(object, into: &values) {
        case .success(let times): try sink.accept(line: line, event: times.event, created: times.created, values: values, column: { _ in nil }, raw: { raw })
        case .failure(let failure): try sink.quarantine(line: line, column: nil, raw: raw, reason: failure.reason)
        }
    }

    func decode(_ object: [String: JSONScalar], into values: inout [Value]) -> Result<(event: Int64, created: Int64?), SourceRowDecoder.Failure> {
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
