import Foundation
public import StrataCore

/// Stable JSON for definitions: sorted keys, so equal definitions give equal text and hashes.
public enum CanonicalJSON {
    /// - Throws: `EncodingError` (a non-finite number, for instance): never a placeholder text.
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes a stored definition, naming the record when it cannot be read.
    /// - Throws: `RegistryError.corruptRecord`.
    public static func decode(kind: DefinitionKind, _ text: String, name: String, version: Int) throws(RegistryError) -> AnyDefinition {
        do {
            return try decode(kind: kind, text)
        } catch {
            throw .corruptRecord(record: "\(kind.rawValue) `\(name)` version \(version)", reason: "its definition cannot be decoded: \(error)")
        }
    }

    public static func decode(kind: DefinitionKind, _ text: String) throws -> AnyDefinition {
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        switch kind {
        case .entity: return .entity(try decoder.decode(EntityDefinition.self, from: data))
        case .source: return .source(try decoder.decode(SourceDefinition.self, from: data))
        case .view: return .view(try decoder.decode(FeatureViewDefinition.self, from: data))
        case .service: return .service(try decoder.decode(FeatureServiceDefinition.self, from: data))
        }
    }

    /// Flattens JSON into `path → rendered value` for field-level diffs (`features.conv_rate.expression`).
    public static func flatten(_ text: String?) -> [String: String] {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return [:] }
        var result: [String: String] = [:]
        flatten(object, prefix: "", into: &result)
        return result
    }

    private static func flatten(_ value: Any, prefix: String, into result: inout [String: String]) {
        if let dict = value as? [String: Any] {
            for (key, inner) in dict { flatten(inner, prefix: prefix.isEmpty ? key : "\(prefix).\(key)", into: &result) }
        } else if let array = value as? [Any] {
            // Arrays of named things are keyed by name, so reordering or inserting does not show as many changes.
            let named = array.compactMap { ($0 as? [String: Any])?["name"] as? String }
            if named.count == array.count, !array.isEmpty {
                for (name, inner) in zip(named, array) { flatten(inner, prefix: "\(prefix).\(name)", into: &result) }
            } else if array.allSatisfy({ !($0 is [String: Any]) && !($0 is [Any]) }) {
                result[prefix] = "[" + array.map { render($0) }.joined(separator: ", ") + "]"
            } else {
                for (index, inner) in array.enumerated() { flatten(inner, prefix: "\(prefix)[\(index)]", into: &result) }
            }
        } else {
            result[prefix] = render(value)
        }
    }

    private static func render(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if let string = value as? String { return string }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }
}

/// One changed field between two versions of an object.
public struct FieldChange: Codable, Sendable, Hashable {
    public var path: String
    public var old: String?
    public var new: String?

    /// The fields that differ between two definitions, by the paths the YAML uses (`DefinitionFields`). Callers decode
    /// stored definitions first, so one that cannot be read is an error, never an empty object whose every field "changed".
    static func between(_ old: AnyDefinition?, _ new: AnyDefinition?) -> [FieldChange] {
        let a = old.map(DefinitionFields.fields) ?? [:], b = new.map(DefinitionFields.fields) ?? [:]
        return Set(a.keys).union(b.keys).sorted().compactMap { path in
            a[path] == b[path] ? nil : FieldChange(path: path, old: a[path], new: b[path])
        }
    }
}
