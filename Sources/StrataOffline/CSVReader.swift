/// A byte-level RFC 4180 reader: quoted fields, `""` escapes, embedded newlines, CRLF, a UTF-8 BOM.
///
/// Hand-written because ingest calls it per byte: it hands out field ranges into a window of the file
/// without allocating per row, and tracks the physical line of every record for quarantine and lineage.
/// SwiftCSV and CSV.swift (in our package set) build a `String` per field and do not report line numbers.
///
/// The window need not hold the whole file: unless `isFinal`, a record that reaches the window's end is not
/// returned (`next` gives nil and `needsMore` is set) and the reader stays at its start, to be read again
/// from a larger window.
struct CSVReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    /// 1-based line number at `position`.
    private(set) var line: Int
    /// Whether the window ends where the file ends.
    let isFinal: Bool
    /// Set when `next` stopped at a record the window holds only part of.
    private(set) var needsMore = false

    static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    /// `skipsBOM`: the window starts at the beginning of the file, where a UTF-8 byte-order mark is ignored.
    init(bytes: UnsafeRawBufferPointer, startingAt offset: Int = 0, line: Int = 1, isFinal: Bool = true, skipsBOM: Bool = true) {
        self.bytes = bytes
        var start = offset
        if skipsBOM, start == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        if skipsBOM, !isFinal, start == 0, bytes.count < 3 { needsMore = true }
        self.position = start
        self.line = line
        self.isFinal = isFinal
    }

    /// A field: the byte range, and whether it was quoted with `""` escapes inside.
    struct Field {
        var start: Int
        var end: Int
        var hasEscapes: Bool
    }

    /// One record: its fields, first line, byte range, and a problem if the record is malformed.
    struct Record {
        var line: Int
        var start: Int
        var end: Int
        var problem: String?
    }

    /// Reads the next non-blank record into `fields` (cleared first); nil at the end of the window.
    mutating func next(into fields: inout [Field]) -> Record? {
        fields.removeAll(keepingCapacity: true)
        if needsMore { return nil }
        while position < bytes.count, bytes[position] == Self.newline || bytes[position] == Self.carriageReturn {
            if bytes[position] == Self.newline { line += 1 }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let startLine = line
        var record = Record(line: line, start: position, end: position, problem: nil)
        while true {
            if position < bytes.count, bytes[position] == Self.quote {
                readQuoted(into: &fields, &record)
            } else {
                let start = position
                while position < bytes.count {
                    let b = bytes[position]
                    if b == Self.comma || b == Self.newline || b == Self.carriageReturn { break }
                    if b == Self.quote, record.problem == nil { record.problem = "a `\"` inside an unquoted field (quote the whole field and write `\"\"`)" }
                    position += 1
                }
                fields.append(Field(start: start, end: position, hasEscapes: false))
            }
            if position < bytes.count, bytes[position] == Self.comma {
                position += 1
                continue
            }
            break
        }
        record.end = position
        // Without its terminator in the window, the record may go on in the next part of the file.
        if !isFinal, position >= bytes.count || (bytes[position] == Self.carriageReturn && position + 1 >= bytes.count) {
            position = record.start
            line = startLine
            needsMore = true
            fields.removeAll(keepingCapacity: true)
            return nil
        }
        if position < bytes.count, bytes[position] == Self.carriageReturn { position += 1 }
        if position < bytes.count, bytes[position] == Self.newline { position += 1; line += 1 }
        return record
    }

    private mutating func readQuoted(into fields: inout [Field], _ record: inout Record) {
        position += 1
        let start = position
        var hasEscapes = false
        while position < bytes.count {
            let b = bytes[position]
            if b == Self.quote {
                if position + 1 < bytes.count, bytes[position + 1] == Self.quote {
                    hasEscapes = true
                    position += 2
                    continue
                }
                break
            }
            if b == Self.newline { line += 1 }
            position += 1
        }
        guard position < bytes.count else {
            fields.append(Field(start: start, end: position, hasEscapes: hasEscapes))
            record.problem = "a quoted field is never closed (it runs to the end of the file)"
            return
        }
        fields.append(Field(start: start, end: position, hasEscapes: hasEscapes))
        position += 1
        let after = position < bytes.count ? bytes[position] : Self.newline
        if after != Self.comma, after != Self.newline, after != Self.carriageReturn {
            if record.problem == nil { record.problem = "characters after a closing quote" }
            while position < bytes.count, bytes[position] != Self.comma, bytes[position] != Self.newline { position += 1 }
        }
    }

    /// The field's bytes with `""` unescaped, passed to `body` without copying when there is nothing to unescape.
    func withField<T>(_ field: Field, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[field.start..<field.end])
        guard field.hasEscapes else { return body(slice) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(slice.count)
        var i = 0
        while i < slice.count {
            unescaped.append(slice[i])
            i += (slice[i] == Self.quote && i + 1 < slice.count && slice[i + 1] == Self.quote) ? 2 : 1
        }
        return unescaped.withUnsafeBytes(body)
    }

    /// The field as a String (invalid UTF-8 replaced), for headers and raw text.
    func string(_ field: Field) -> String {
        withField(field) { String(decoding: $0, as: UTF8.self) }
    }
}
