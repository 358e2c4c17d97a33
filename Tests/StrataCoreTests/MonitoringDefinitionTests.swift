// The `monitoring:` block of a feature service and the profile forms of drift (`training-set:ID`, `run:N`,
// `source:T1..T2`, `logs:T1..T2`): valid blocks load; each mistake is a definition error with file:line and a fix.
import Testing
@testable import StrataCore

@Suite struct MonitoringDefinitionTests {
    static func project(_ monitoring: String) -> String {
        """
        entities:
          - name: driver
            join_keys: {driver_id: int64}
        sources:
          - name: stats
            path: data/stats.csv
            timestamp: event_ts
            schema: {driver_id: int64, conv_rate: float64, city: string}
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: stats
            features: {conv_rate: float64, city: string}
        feature_services:
          - name: ranking
            features: [driver_stats:conv_rate, driver_stats:city]
            monitoring:
        \(monitoring.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    func load(_ monitoring: String) -> Result<ServiceMonitoring?, DefinitionErrors> {
        DefinitionLoader.load([(path: "featuresets/f.yaml", text: Self.project(monitoring))]).map { $0.definitions.services.first?.monitoring }
    }

    func errors(_ monitoring: String) -> [Diagnostic] {
        if case .failure(let errors) = load(monitoring) { return errors.diagnostics }
        return []
    }

    @Test("a full monitoring block loads with its schedule, reference, share, overrides and webhook")
    func loads() throws {
        let monitoring = try #require(try load("""
        every: 15m
        window: 1h
        reference: training-set:ts-0123456789ab
        drift_share: 0.25
        features:
          driver_stats:conv_rate: {method: psi, threshold: 0.2}
        alert: {webhook: "http://127.0.0.1:9000/hooks/strata"}
        """).get())
        #expect(monitoring.everyMicros == 15 * 60_000_000)
        #expect(monitoring.windowMicros == 3_600_000_000)
        #expect(monitoring.reference == .trainingSet("ts-0123456789ab"))
        #expect(monitoring.driftShare == 0.25)
        #expect(monitoring.features["driver_stats:conv_rate"] == FeatureMonitoring(method: "psi", threshold: 0.2))
        #expect(monitoring.webhook == "http://127.0.0.1:9000/hooks/strata")
    }

    @Test("the window defaults to the schedule and the share to one half")
    func defaults() throws {
        let monitoring = try #require(try load("every: 1h\nreference: run:3").get())
        #expect(monitoring.windowMicros == monitoring.everyMicros && monitoring.driftShare == 0.5 && monitoring.reference == .run(3))
    }

    @Test("an https webhook is accepted: the alert sender speaks TLS (AsyncHTTPClient)")
    func httpsWebhook() throws {
        let found = errors("every: 15m\nreference: run:1\nalert: {webhook: \"https://hooks.example.com/strata\"}")
        #expect(found.isEmpty, "\(found.map(\.what))")
    }

    @Test("each mistake is reported at its line with a fix", arguments: [
        ("every: 15m\nreference: training-set:x\nfeatures:\n  driver_stats:conv_rate: {method: kolmogorov}", 21, "unknown drift method `kolmogorov`"),
        ("every: 15m\nreference: training-set:x\nfeatures:\n  driver_stats:rating: {threshold: 0.2}", 21, "feature `driver_stats:rating` is not a feature of this service"),
        ("every: 15m\nreference: training-set:x\ndrift_share: 1.5", 20, "`drift_share` must be a share in (0, 1]"),
        ("every: 15m\nreference: logs:..", 19, "a monitoring reference cannot be the serving log itself"),
        ("every: 15m\nreference: yesterday", 19, "`yesterday` is not a profile: it has no kind"),
        ("every: 0s\nreference: run:1", 18, "`every` must be at least 1s"),
        ("reference: run:1", 18, "missing required field `every`"),
        ("every: 15m\nreference: run:1\nalert: {webhook: \"ftp://example.com/x\"}", 20, "is not an http:// or https:// address"),
    ])
    func mistakes(_ monitoring: String, line: Int, message: String) throws {
        let found = errors(monitoring)
        let match = found.first { $0.what.contains(message) }
        #expect(match != nil, "expected `\(message)` in \(found.map(\.what))")
        #expect(match?.location?.line == line)
        #expect(match?.fix != nil)
    }

    @Test("profile forms parse, print as written and refuse what is not one", arguments: [
        ("training-set:ts-1", ProfileSpec.trainingSet("ts-1")),
        ("run:12", ProfileSpec.run(12)),
        ("source:2026-03-01T00:00:00Z..2026-03-02T00:00:00Z", ProfileSpec.source(since: 1_772_323_200_000_000, until: 1_772_409_600_000_000)),
        ("logs:2026-03-01T00:00:00Z..", ProfileSpec.logs(since: 1_772_323_200_000_000, until: nil)),
        ("logs:..", ProfileSpec.logs(since: nil, until: nil)),
    ])
    func profileForms(_ text: String, expected: ProfileSpec) throws {
        let parsed = try ProfileSpec.parse(text).get()
        #expect(parsed == expected)
        #expect(try ProfileSpec.parse(parsed.description).get() == expected)
    }

    @Test("malformed profile forms say what is wrong", arguments: ["run:x", "run:0", "source:2026-03-02T00:00:00Z..2026-03-01T00:00:00Z", "logs:2026-03-01", "table:x", "training-set:"])
    func badProfileForms(_ text: String) {
        #expect(throws: ProfileSpecFailure.self) { try ProfileSpec.parse(text).get() }
    }
}
