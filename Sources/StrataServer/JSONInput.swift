import NIOCore
import StrataCore
import StrataOffline

/// Request bodies: parsed by `JSONTree`, which keeps numbers as written (int64 keys are read exactly) and bounds the
/// nesting depth, so hostile input cannot exhaust the stack; the body's size is limited before it gets here.
enum JSONInput {
    static let depthMax = 32

    /// Parses a JSON object body, or throws a `ServerError` naming what is wrong.
    static func object(_ buffer: ByteBuffer) throws -> JSONTree {
        let bytes = buffer.readableBytesView
        guard !bytes.isEmpty else { throw ServerError.badRequest("the request body is empty; send a JSON object", code: "empty_body") }
        let tree: JSONTree
        do {
            tree = try JSONTree.parse(bytes, depthMax: depthMax)
        } catch {
            if error.isTooDeep { throw ServerError.badRequest("JSON is nested more than \(depthMax) levels deep", code: "too_deep") }
            throw ServerError.badRequest("the request body is not valid JSON (\(error.problem) at byte \(error.offset))", code: "malformed_json")
        }
        guard case .object = tree else { throw ServerError.badRequest("the request body must be a JSON object", code: "malformed_json") }
        return tree
    }

    /// A JSON value as a typed scalar; booleans stay booleans, never 0 or 1, and integers are read from their text
    /// exactly. With `integralDecimals` (pushed rows) a number written with a zero fraction (`1679.0`, as pandas writes
    /// an integer column holding nulls) is that integer, so it fits an int64 column; without it (a JSON spine, whose
    /// column types are inferred) only integer text is an int. Every other number is a double.
    static func scalar(_ value: JSONTree, integralDecimals: Bool) -> JSONScalar {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .string(let text): return .string(text)
        case .array, .object: return .nested
        case .number(let text):
            let isDecimal = text.contains { $0 == "." || $0 == "e" || $0 == "E" }
            let isNegativeZero = isDecimal && text.hasPrefix("-") && Double(text) == 0
            if !isNegativeZero, !isDecimal || integralDecimals, case .integer(let int) = ExactInteger.read(text) { return .int(int) }
            return .double(Double(text) ?? .nan)
        }
    }
}
