import Hummingbird
import NIOCore
import StrataCore
import StrataOffline

/// A direct JSON writer for responses: Foundation's JSONEncoder took ~18 µs for a 200-byte response on this
/// machine, more than the lookup and routing together (STYLE §10), so responses are written byte by byte.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    init() {
        bytes.reserveCapacity(512)
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separator()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func array(_ body: (inout JSONWriter) -> Void) {
        separator()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"name":`; the value that follows does not add a comma.
    mutating func key(_ name: String) {
        separator()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    mutating func string(_ text: String) {
        separator()
        appendQuoted(text)
    }

    mutating func raw(_ text: String) {
        separator()
        appendUTF8(text)
    }

    mutating func null() { raw("null") }
    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }
    mutating func int(_ value: Int) { int(Int64(value)) }

    /// Decimal digits written straight into the buffer, without a String per number.
    mutating func int(_ value: Int64) {
        separator()
        FlatJSON.appendDecimal(value, to: &bytes)
    }

    mutating func double(_ value: Double) {
        value.isFinite ? raw(String(value)) : null()
    }

    mutating func value(_ value: Value, _ type: ValueType? = nil) {
        switch value {
        case .null: null()
        case .int(let v): type == .timestamp ? string(Timestamp.format(v)) : int(v)
        case .float(let v): double(v)
        case .string(let s): string(s)
        case .bool(let b): bool(b)
        }
    }

    /// Plain text is copied from the string's contiguous UTF-8 storage in one call: iterating `String.UTF8View` byte by
    /// byte was the largest single cost of a 100-entity response (~2,000 strings: statuses, times, values; perf, issue 12).
    private mutating func appendQuoted(_ text: String) {
        JSONText.appendString(text, to: &bytes)
    }

    private mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    func response(status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
