import Yams

/// Reads one YAML mapping with positions, collecting diagnostics instead of stopping at the first problem.
struct YAMLReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    func location(_ node: Node?, _ context: String? = nil) -> SourceLocation {
        let mark = node?.mark
        return SourceLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, context: context)
    }

    mutating func error(_ what: String, _ node: Node?, _ context: String?, fix: String? = nil) {
        diagnostics.append(Diagnostic(what, at: location(node, context), fix: fix))
    }

    /// The pairs of a mapping node, reporting keys outside `allowed` (with a near-miss suggestion) and non-mappings.
    mutating func fields(_ node: Node, allowed: [String], context: String) -> [String: Node]? {
        guard let mapping = node.mapping else {
            error("expected a mapping of fields, found \(describe(node))", node, context, fix: "write `key: value` lines, one per field")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error("a field name must be plain text", keyNode, context)
                continue
            }
            guard allowed.contains(key) else {
                let fix = didYouMean(key, in: allowed) ?? "allowed fields: \(allowed.joined(separator: ", "))"
                error("unknown field `\(key)`", keyNode, context, fix: fix)
                continue
            }
            result[key] = value
        }
        return result
    }

    mutating func requiredString(_ fields: [String: Node], _ key: String, in node: Node, context: String) -> String? {
        guard let value = fields[key] else {
            error("missing required field `\(key)`", node, context, fix: "add `\(key): …`")
            return nil
        }
        return string(value, field: key, context: context)
    }

    mutating func optionalString(_ fields: [String: Node], _ key: String, context: String) -> String? {
        fields[key].flatMap { string($0, field: key, context: context) }
    }

    mutating func string(_ node: Node, field: String, context: String) -> String? {
        guard let scalar = node.scalar else {
            error("field `\(field)` must be a single value, found \(describe(node))", node, context)
            return nil
        }
        return scalar.string
    }

    mutating func stringList(_ fields: [String: Node], _ key: String, context: String) -> [String] {
        guard let node = fields[key] else { return [] }
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else {
            error("field `\(key)` must be a list such as [a, b]", node, context)
            return []
        }
        return sequence.compactMap { string($0, field: key, context: context) }
    }

    /// Checks that a name is an identifier: letters, digits and `_`, not starting with a digit.
    mutating func checkName(_ name: String, _ node: Node?, context: String) -> Bool {
        guard isIdentifier(name) else {
            error("`\(name)` is not a valid name", node, context, fix: "use letters, digits and `_`, starting with a letter or `_` (e.g. `driver_stats`)")
            return false
        }
        return true
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "`\(s.string)`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// True for names that are safe identifiers everywhere: definitions, SQL (after quoting), LMDB names, file names.
public func isIdentifier(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 128 else { return false }
    let isLetter: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" }
    return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
}
