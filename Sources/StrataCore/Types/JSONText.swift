/// JSON string escaping (RFC 8259), the one copy the feature log, the server's responses, OpenLineage events and
/// entity keys share.
///
/// ```swift
/// var out: [UInt8] = []
/// JSONText.appendString("a \"b\"\n", to: &out)   // "a \"b\"\n" with quotes, as UTF-8
/// ```
public enum JSONText {
    /// Appends `text` in quotes: `"` and `\` are escaped, control characters become `\n`, `\r`, `\t` or `\u00XX`, and
    /// everything else is written as UTF-8. Text without anything to escape is copied in one call.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        out.append(34)
        let isPlain = text.withUTF8 { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == 34 || byte == 92 { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if isPlain {
            out.append(34)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 34: out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            case 9: out += [92, 116]
            case 0..<0x20: out += [92, 117, 48, 48, hexDigit(byte >> 4), hexDigit(byte & 0xF)]
            default: out.append(byte)
            }
        }
        out.append(34)
    }

    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
}
