/// An array of doubles stored as Base64 of their little-endian IEEE 754 bits: exact, and about a third of the size
/// of JSON numbers for the sketch items and exact values a profile keeps.
struct PackedDoubles: Codable, Sendable {
    var values: [Double]

    init(_ values: [Double]) {
        self.values = values
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let bytes = Base64.decode(text), bytes.count % 8 == 0 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected Base64 of 8-byte doubles")
        }
        values = stride(from: 0, to: bytes.count, by: 8).map { start in
            var bits: UInt64 = 0
            for offset in 0..<8 { bits |= UInt64(bytes[start + offset]) << (8 * offset) }
            return Double(bitPattern: bits)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for value in values {
            let bits = value.bitPattern
            for offset in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * offset))) }
        }
        var container = encoder.singleValueContainer()
        try container.encode(Base64.encode(bytes))
    }
}

/// RFC 4648 Base64 with padding, without Foundation.
enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(triple >> 18 & 63)])
            output.append(alphabet[Int(triple >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes, or nil when the text is not padded Base64.
    static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            var triple: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let character = characters[index + offset]
                if character == UInt8(ascii: "="), index + 4 == characters.count, offset >= 2 {
                    padding += 1
                    triple <<= 6
                    continue
                }
                guard padding == 0, let value = sextet(character) else { return nil }
                triple = triple << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: triple >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: triple >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: triple)) }
            index += 4
        }
        return output
    }

    static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
