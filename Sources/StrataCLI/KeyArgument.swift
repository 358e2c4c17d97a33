import ArgumentParser
import StrataCore

/// Parses `--key name=value[,name=value]` against the join keys' types; unknown names and non-integers are usage errors.
func parseEntityKeys(_ text: String, _ types: [String: ValueType]) throws -> [String: KeyPart] {
    var result: [String: KeyPart] = [:]
    for assignment in text.split(separator: ",") {
        let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("--key `\(text)`: write `name=value`") }
        guard let type = types[parts[0]] else {
            throw ValidationError("--key `\(text)`: `\(parts[0])` is not a join key of these features (keys: \(types.keys.sorted().joined(separator: ", ")))")
        }
        if type == .string { result[parts[0]] = .string(parts[1]); continue }
        guard let value = Int64(parts[1]) else { throw ValidationError("--key `\(text)`: `\(parts[1])` is not an int64") }
        result[parts[0]] = .int(value)
    }
    return result
}
