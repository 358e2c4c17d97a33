import Foundation
import NIOCore

/// Request bodies: size- and depth-checked before Foundation parses them, so hostile input cannot exhaust memory or stack.
enum JSONInput {
    static let depthMax = 32

    /// Parses a JSON object body, or throws a `ServerError` naming what is wrong.
    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        let bytes = buffer.readableBytesView
        guard !bytes.isEmpty else { throw ServerError.badRequest("the request body is empty; send a JSON object", code: "empty_body") }
        var depth = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == 92 { escaped = true } else if byte == 34 { inString = false }
                continue
            }
            switch byte {
            case 34: inString = true
            case 91, 123:
                depth += 1
                if depth > depthMax { throw ServerError.badRequest("JSON is nested more than \(depthMax) levels deep", code: "too_deep") }
            case 93, 125: depth -= 1
            default: break
            }
        }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            throw ServerError.badRequest("the request body is not valid JSON", code: "malformed_json")
        }
        guard let object = parsed as? [String: Any] else { throw ServerError.badRequest("the request body must be a JSON object", code: "malformed_json") }
        return object
    }
}
