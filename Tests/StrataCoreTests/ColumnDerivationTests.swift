// Column-level lineage derived from compiled views: identities, expressions (direct and conditional inputs), the time
// columns, and aggregations. Small inline definitions compiled for real; RFC test vectors for name-based UUIDs.
import Foundation
import Testing
@testable import StrataCore

@Suite struct ColumnDerivationTests {
    static func view(_ features: String) throws -> CompiledView {
        let yaml = """
        entities:
          - name: driver
            join_keys: {driver_id: int64}
        sources:
          - name: stats
            path: data/stats.csv
            timestamp: ts
            created: seen
            schema: {driver_id: int64, trips: int64, rate: float64, acc: float64, city: string}
        feature_views:
          - name: v
            entities: [driver]
            source: stats
            features:
        \(features)
        """
        let project = try CompiledProject.compile([(path: "featuresets/f.yaml", text: yaml)]).get()
        return try #require(project.views["v"])
    }

    static func derivation(_ expression: String, type: String = "float64") throws -> ColumnDerivation {
        let view = try view("      out: {type: \(type), expr: \"\(expression)\"}")
        return try #require(view.columnDerivations.first { $0.output == "out" })
    }

    static func summary(_ derivation: ColumnDerivation) -> [String] {
        derivation.inputs.map { input in
            input.column + ":" + input.transformations.map { "\($0.kind.rawValue)/\($0.subtype.rawValue)" }.joined(separator: "+")
        }
    }

    @Test("a feature named after a column is an identity of that column")
    func identity() throws {
        let view = try Self.view("      trips: int64")
        #expect(view.columnDerivations == [ColumnDerivation(output: "trips", inputs: [
            ColumnInput(column: "trips", transformations: [ColumnTransformation(.direct, .identity)])])])
    }

    @Test("an expression names every column it reads, in first-use order, with the expression text", arguments: [
        ("rate * acc", ["rate:DIRECT/TRANSFORMATION", "acc:DIRECT/TRANSFORMATION"]),
        ("coalesce(rate, 0) * 4.8", ["rate:DIRECT/TRANSFORMATION"]),
        ("cast(trips as float64) / 2", ["trips:DIRECT/TRANSFORMATION"]),
        ("case when trips >= 10 then rate else acc end", ["trips:INDIRECT/CONDITIONAL", "rate:DIRECT/TRANSFORMATION", "acc:DIRECT/TRANSFORMATION"]),
        ("if(city = 'Lisbon', rate, rate * 2)", ["city:INDIRECT/CONDITIONAL", "rate:DIRECT/TRANSFORMATION"]),
        ("nullif(rate, acc)", ["rate:DIRECT/TRANSFORMATION", "acc:INDIRECT/CONDITIONAL"]),
        ("case when rate > 1 then rate else 0 end", ["rate:DIRECT/TRANSFORMATION+INDIRECT/CONDITIONAL"]),
        ("2.5", []),
    ])
    func expression(expression: String, expected: [String]) throws {
        let derivation = try Self.derivation(expression)
        #expect(Self.summary(derivation) == expected)
        #expect(derivation.inputs.allSatisfy { $0.transformations.allSatisfy { $0.description == expression } })
    }

    @Test("the event and created time columns are inputs under their source names")
    func timeColumns() throws {
        let hour = try Self.derivation("hour(ts)", type: "int64")
        #expect(Self.summary(hour) == ["ts:DIRECT/TRANSFORMATION"])
        let lag = try Self.derivation("cast(seen as int64) - cast(ts as int64)", type: "int64")
        #expect(lag.inputs.map(\.column) == ["seen", "ts"])
    }

    @Test("an aggregation reads its input directly, its where through a filter and the event time through its window")
    func aggregation() throws {
        let view = try Self.view("      trips: int64\n    aggregations:\n      trips_7d: {function: sum, column: trips, window: 3d, where: \"acc > 0.5\"}")
        let derivation = try #require(view.columnDerivations.last)
        #expect(derivation.output == "trips_7d")
        #expect(Self.summary(derivation) == ["trips:DIRECT/AGGREGATION", "acc:INDIRECT/FILTER", "ts:INDIRECT/WINDOW"])
        #expect(derivation.inputs[0].transformations[0].description == "sum(trips) over 3d where acc > 0.5")
    }
}

@Suite struct NameBasedUUIDTests {
    static let dns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    static let url = "6ba7b811-9dad-11d1-80b4-00c04fd430c8"

    @Test("version-5 UUIDs match RFC 9562 and Python's uuid5", arguments: [
        // RFC 9562, Appendix A.4 (the DNS namespace and "www.example.com").
        (dns, "www.example.com", "2ed6657d-e927-568b-95e1-2665a8aea6a2"),
        // Python's documentation example: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
        (dns, "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d"),
        (url, "https://openlineage.io", "ac157e3c-dbd9-5a75-b99f-9314cdada32c"),
        (url, "https://strata.example/openlineage/runs", "06b215d8-0692-5b92-8204-d6cd58c94095"),
    ])
    func vectors(namespace: String, name: String, expected: String) throws {
        let bytes = try #require(NameBasedUUID.parse(namespace))
        #expect(NameBasedUUID.v5(namespace: bytes, name: name) == expected)
    }

    @Test("SHA-1 matches the FIPS 180 examples", arguments: [
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (String(repeating: "a", count: 1000), "291e9a6c66994949b57ba5e650361e98fc36b1ba"),
    ])
    func sha1(message: String, expected: String) {
        let hex = SHA1.digest(Array(message.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(hex == expected)
    }

    @Test("UUID text parses with or without hyphens, and nothing else")
    func parsing() {
        #expect(NameBasedUUID.parse(Self.dns) == NameBasedUUID.parse(Self.dns.replacingOccurrences(of: "-", with: "")))
        #expect(NameBasedUUID.parse("6ba7b810-9dad-11d1-80b4-00c04fd430c") == nil)
        #expect(NameBasedUUID.parse("zba7b810-9dad-11d1-80b4-00c04fd430c8") == nil)
    }
}
