package import StrataCore

/// A parser for the flat JSON the feature log writes (arrays and objects of scalars).
/// Foundation's JSONSerialization spent most of a 1M-row `check --logs` building NSNumbers; this decodes straight to `Value`.
package enum FlatJSON {
    /// `[1, 2.5, "a", true, null]` → values; nil when the text is not a flat array.
    static func array(_ text: String) -> [Value]? {
        var text = text
        return text.withUTF8 { array(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// `{"a": 1, "b": "x"}` → pairs; nil when the text is not a flat object.
    static func object(_ text: String) -> [(String, Value)]? {
        var text = text
        return text.withUTF8 { object(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A flat array parsed straight from bytes (a SQLite column), without making a String first.
    static func array(bytes: UnsafeRawBufferPointer) -> [Value]? {
        var values: [Value] = []
        return array(bytes: bytes, appendingTo: &values) ? values : nil
    }

    /// Appends a flat array's values to `values`; false (with `values` partly appended) when the bytes are not one.
    static func array(bytes: UnsafeRawBufferPointer, appendingTo values: inout [Value]) -> Bool {
        var parser = Parser(bytes: bytes)
        return parser.array(appendingTo: &values) && parser.isAtEndAfterSpaces()
    }

    static func object(bytes: UnsafeRawBufferPointer) -> [(String, Value)]? {
        var parser = Parser(bytes: bytes)
        guard let pairs = parser.object(), parser.isAtEndAfterSpaces() else { return nil }
        return pairs
    }

    /// Writes a flat array: `[1,2.5,"a",true,null]`.
    static func encode(_ values: [Value]) -> String {
        var out: [UInt8] = [91]
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(44) }
            append(value, to: &out)
        }
        out.append(93)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes a flat object with keys in the given order: `{"a":1}`.
    static func encode(_ pairs: [(String, Value)]) -> String {
        var out: [UInt8] = [123]
        for (i, (key, value)) in pairs.enumerated() {
            if i > 0 { out.append(44) }
            append(.string(key), to: &out)
            out.append(58)
            append(value, to: &out)
        }
        out.append(125)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one JSON scalar; the server's response writer shares it for escaping.
    /// Literals and integers are written without an intermediate String or Array: the feature-log drain writes ~30
    /// scalars per record, and two allocations per scalar were most of its cost at sample rate 1.0 (issue 12).
    package static func append(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .int(let v): appendDecimal(v, to: &out)
        case .float(let v):
            guard v.isFinite else { out.append(contentsOf: "null".utf8); return }
            var text = String(v)
            text.withUTF8 { out.append(contentsOf: $0) }
        case .string(let s): JSONText.appendString(s, to: &out)
        }
    }

    /// Decimal digits of `value` (shared by the log, the response writer and the training-set writer).
    package static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(45) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var count = 0
            repeat {
                buffer[count] = 48 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }

    struct Parser {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        /// True when only whitespace is left.
        mutating func isAtEndAfterSpaces() -> Bool {
            skipSpaces()
            return i == bytes.count
        }

        mutating func skipSpaces() { while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 } }

        mutating func expect(_ byte: UInt8) -> Bool {
            skipSpaces()
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        mutating func array(appendingTo values: inout [Value]) -> Bool {
            guard expect(91) else { return false }
            if expect(93) { return true }
            repeat {
                guard let value = scalar() else { return false }
                values.append(value)
            } while expect(44)
            return expect(93)
        }

        mutating func object() -> [(String, Value)]? {
            guard expect(123) else { return nil }
            var pairs: [(String, Value)] = []
            if expect(125) { return pairs }
            repeat {
                skipSpaces()
                guard case .string(let key)? = scalar(), expect(58), let value = scalar() else { return nil }
                pairs.append((key, value))
            } while expect(44)
            return expect(125) ? pairs : nil
        }

        mutating func scalar() -> Value? {
            skipSpaces()
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case 34: return string().map(Value.string)
            case 116: return literal("true", .bool(true))
            case 102: return literal("false", .bool(false))
            case 110: return literal("null", .null)
            default: return number()
            }
        }

        mutating func literal(_ word: String, _ value: Value) -> Value? {
            let w = word.utf8
            guard i + w.count <= bytes.count, bytes[i..<(i + w.count)].elementsEqual(w) else { return nil }
            i += w.count
            return value
        }

        mutating func number() -> Value? {
            let start = i
            var isFloat = false
            while i < bytes.count, (bytes[i] >= 48 && bytes[i] <= 57) || bytes[i] == 45 || bytes[i] == 43 || bytes[i] == 46 || bytes[i] == 101 || bytes[i] == 69 {
                if bytes[i] == 46 || bytes[i] == 101 || bytes[i] == 69 { isFloat = true }
                i += 1
            }
            if !isFloat, let int = Self.int64(bytes[start..<i]) { return .int(int) }
            return Double(String(decoding: bytes[start..<i], as: UTF8.self)).map(Value.float)
        }

        /// A plain decimal integer (optional minus, digits) without making a String; nil on anything else or overflow.
        static func int64(_ digits: Slice<UnsafeRawBufferPointer>) -> Int64? {
            var index = digits.startIndex
            let isNegative = index < digits.endIndex && digits[index] == 45
            if isNegative { index += 1 }
            guard index < digits.endIndex else { return nil }
            var value: Int64 = 0
            while index < digits.endIndex {
                let digit = digits[index]
                guard digit >= 48, digit <= 57 else { return nil }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = isNegative ? times10.subtractingReportingOverflow(Int64(digit - 48)) : times10.addingReportingOverflow(Int64(digit - 48))
                if o1 || o2 { return nil }
                value = next
                index += 1
            }
            return value
        }

        mutating func string() -> String? {
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if b == 34 { return String(decoding: out, as: UTF8.self) }
                guard b == 92 else { out.append(b); continue }
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case 110: out.append(10)
                case 116: out.append(9)
                case 114: out.append(13)
                case 98: out.append(8)
                case 102: out.append(12)
                case 117:
                    guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else { return nil }
                    i += 4
                    var scalarValue = code
                    if (0xD800...0xDBFF).contains(code), i + 6 <= bytes.count, bytes[i] == 92, bytes[i + 1] == 117,
                       let low = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16) {
                        scalarValue = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    out += Array(String(Unicode.Scalar(scalarValue).map(Character.init) ?? "\u{FFFD}").utf8)
                default: out.append(e)
                }
            }
            return nil
        }
    }
}
