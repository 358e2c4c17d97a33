import ArgumentParser
import StrataCore

/// `--key name=value[,name=value]` (or a JSON object for values holding `,` or `=`) through the shared key codec;
/// unknown names and values of the wrong type are usage errors (exit 64).
func parseEntityKeys(_ text: String, _ codec: KeyCodec) throws -> [String: KeyPart] {
    do {
        return try codec.row(text: text)
    } catch {
        throw ValidationError("--key: \(error.what)" + (error.fix.map { "; \($0)" } ?? ""))
    }
}
