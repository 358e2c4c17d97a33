package import Foundation

/// The JSON of records the public interfaces print (the HTTP API's registry routes, `strata registry … --json`): keys in
/// snake_case, as every other HTTP answer writes them (`event_timestamps`, `join_keys`), sorted, slashes unescaped.
package enum PublicJSON {
    /// `value` as public JSON, pretty-printed for terminals when asked.
    package static func encode(_ value: some Encodable, pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
