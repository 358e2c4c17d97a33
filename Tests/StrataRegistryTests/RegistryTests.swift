// The registry on a real SQLite file: plan/apply, versions and history, diffs, search, breaking-change refusal,
// and optimistic concurrency (a stale plan fails with "the registry moved to revision N since your plan").
import Foundation
import StrataCore
@testable import StrataRegistry
import StrataTestSupport
import Testing

@Suite struct RegistryTests {
    static let yaml = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
        owner: ana@example.com
        tags: [mobility]
    sources:
      - name: stats
        path: data/stats.csv
        timestamp: ts
        schema: {driver_id: int64, trips: int64, rate: float64}
    feature_views:
      - name: driver_stats
        entities: [driver]
        source: stats
        ttl: 2h
        description: Hourly trips per driver
        features:
          trips: int64
          rate: float64
    feature_services:
      - name: ranking
        features: [driver_stats:trips]
    """

    func definitions(_ yaml: String = Self.yaml) throws -> ProjectDefinitions {
        try CompiledProject.compile([(path: "f.yaml", text: yaml)]).get().definitions
    }

    func freshRegistry(_ dir: TemporaryDirectory) throws -> Registry {
        try Registry(path: dir.file("registry.db").path)
    }

    @Test("the first apply adds every object at version 1 in revision 1")
    func firstApply() throws {
        let dir = TemporaryDirectory()
        let registry = try freshRegistry(dir)
        let plan = try registry.plan(for: try definitions())
        #expect(plan.changes.map(\.action) == [.added, .added, .added, .added])
        #expect(plan.breakingChanges.isEmpty)
        #expect(try registry.apply(plan, author: "ana", message: "init", allowsBreakingChanges: false) == 1)
        #expect(try registry.latestObjects().map(\.version) == [1, 1, 1, 1])
        #expect(try registry.plan(for: try definitions()).isEmpty)
    }

    @Test("a non-breaking change makes a new version without --allow-breaking")
    func nonBreakingChange() throws {
        let dir = TemporaryDirectory()
        let registry = try freshRegistry(dir)
        try registry.apply(try registry.plan(for: try definitions()), author: "ana", message: nil, allowsBreakingChanges: false)
        let changed = Self.yaml.replacingOccurrences(of: "Hourly trips per driver", with: "Trips per driver per hour")
            .replacingOccurrences(of: "      rate: float64", with: "      rate: float64\n      rate_pct: {type: float64, expr: \"rate * 100\"}")
        let plan = try registry.plan(for: try definitions(changed))
        #expect(plan.changes.count == 1)
        #expect(plan.changes.first?.isBreaking == false)
        try registry.apply(plan, author: "bo", message: "describe better", allowsBreakingChanges: false)
        let history = try registry.history(name: "driver_stats")
        #expect(history.map(\.version) == [1, 2])
        #expect(history.map(\.author) == ["ana", "bo"])
        let diff = try registry.diff(name: "driver_stats", from: 1, to: 2)
        #expect(diff.map(\.path) == ["description", "features.rate_pct.expr", "features.rate_pct.type"])
    }

    @Test("breaking changes are refused with reasons unless allowed", arguments: [
        ("ttl: 2h", "ttl: 3h", "ttl changes from 2h to 3h"),
        ("trips: int64\n      rate", "trips: {type: int64, expr: \"trips * 2\"}\n      rate", "changes expression"),
        ("      rate: float64\n", "      rate: string\n", "changes type"),
        ("join_keys: {driver_id: int64}", "join_keys: {driver_id: string}", "join keys change"),
        ("      trips: int64\n", "", "used"),
    ])
    func breakingRefused(original: String, replacement: String, reason: String) throws {
        let dir = TemporaryDirectory()
        let registry = try freshRegistry(dir)
        try registry.apply(try registry.plan(for: try definitions()), author: "ana", message: nil, allowsBreakingChanges: false)
        var changed = Self.yaml.replacingOccurrences(of: original, with: replacement)
        if reason == "used" {
            // Removing a feature a service uses: the service must move too, so point it at another feature.
            changed = changed.replacingOccurrences(of: "driver_stats:trips", with: "driver_stats:rate")
        }
        if replacement.contains("rate: string") { changed = changed.replacingOccurrences(of: "rate: float64}", with: "rate: string}") }
        if original.contains("join_keys") { changed = changed.replacingOccurrences(of: "driver_id: int64, trips", with: "driver_id: string, trips") }
        let plan = try registry.plan(for: try definitions(changed))
        #expect(!plan.breakingChanges.isEmpty)
        #expect(plan.breakingChanges.flatMap(\.reasons).contains { $0.contains(reason) || reason == "used" }, "\(plan.breakingChanges)")
        #expect(throws: RegistryError.self) { try registry.apply(plan, author: "ana", message: nil, allowsBreakingChanges: false) }
        #expect(try registry.revision() == 1)
        #expect(try registry.apply(plan, author: "ana", message: "on purpose", allowsBreakingChanges: true) == 2)
    }

    @Test("a plan made before another apply landed fails with the registry moved since the plan")
    func stalePlan() throws {
        let dir = TemporaryDirectory()
        let registry = try freshRegistry(dir)
        let stale = try registry.plan(for: try definitions())
        try registry.apply(stale, author: "first", message: nil, allowsBreakingChanges: false)
        do {
            try registry.apply(stale, author: "second", message: nil, allowsBreakingChanges: false)
            Issue.record("stale plan applied")
        } catch {
            #expect(error.description.contains("since your plan"))
            #expect(error.fix?.contains("strata plan") == true)
        }
        #expect(try registry.revisions().map(\.author) == ["first"])
    }

    @Test("removing an object records a removal version; re-adding continues the numbering")
    func removeAndReAdd() throws {
        let dir = TemporaryDirectory()
        let registry = try freshRegistry(dir)
        try registry.apply(try registry.plan(for: try definitions()), author: "a", message: nil, allowsBreakingChanges: false)
        let withoutService = Self.yaml.components(separatedBy: "feature_services:")[0]
        let removal = try registry.plan(for: try definitions(withoutService))
        #expect(removal.changes.map(\.action) == [.removed])
        try registry.apply(removal, author: "a", message: nil, allowsBreakingChanges: true)
        #expect(try registry.latestObjects().count == 3)
        try registry.apply(try registry.plan(for: try definitions()), author: "a", message: nil, allowsBreakingChanges: false)
        #expect(try registry.history(name: "ranking").map(\.version) == [1, 2, 3])
        #expect(try registry.history(name: "ranking").map(\.isRemoved) == [false, true, false])
    }

    @Test("search matches names, descriptions, tags and owners case-insensitively")
    func search() throws {
        let dir = TemporaryDirectory()
        let registry = try freshRegistry(dir)
        try registry.apply(try registry.plan(for: try definitions()), author: "a", message: nil, allowsBreakingChanges: false)
        #expect(try registry.search("HOURLY").map(\.name) == ["driver_stats"])
        #expect(try registry.search("mobility").map(\.name) == ["driver"])
        #expect(try registry.search("ana@").map(\.name) == ["driver"])
        #expect(try registry.search("rank").map(\.name) == ["ranking"])
        #expect(try registry.search("nothing-like-this").isEmpty)
    }

    @Test("unknown names and versions give clear errors with suggestions")
    func unknowns() throws {
        let dir = TemporaryDirectory()
        let registry = try freshRegistry(dir)
        try registry.apply(try registry.plan(for: try definitions()), author: "a", message: nil, allowsBreakingChanges: false)
        #expect(errorText { try registry.history(name: "driver_stat") } == RegistryError.unknownObject(name: "driver_stat", suggestion: "driver_stats").description)
        #expect(errorText { try registry.object(name: "driver", version: 9) }.contains("`driver` has no version 9 (latest is 1)"))
    }

    func errorText(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }
}

