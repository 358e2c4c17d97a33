// One registry contract, two stores: every test runs on a SQLite file and on a real PostgreSQL server (started by the
// tests, in a temporary folder): versions, histories and diffs, optimistic concurrency under 8 concurrent appliers,
// reverts of someone else's work, every kind of record, tokens, and the archive a migration copies.
import Foundation
import StrataCore
@testable import StrataRegistry
import StrataRegistryPostgres
import StrataTestSupport
import Testing

@Suite struct RegistryConformanceTests {
    static let backends = ["sqlite", "postgresql"]

    /// A new, empty registry of the given kind (kept alive by the returned folder for SQLite).
    static func registry(_ backend: String) throws -> (Registry, TemporaryDirectory) {
        let dir = TemporaryDirectory()
        if backend == "sqlite" { return (try Registry(path: dir.file("registry.db").path), dir) }
        let server = try PostgresServer.shared
        let url = try RegistryURL.parse(try server.newDatabase()).get()
        return (Registry(store: try PostgresRegistryStore(url: url, password: server.password)), dir)
    }

    static func definitions(services: [String] = ["ranking"], description: String = "Hourly trips per driver") throws -> ProjectDefinitions {
        let list = services.map { "  - name: \($0)\n    features: [driver_stats:trips]" }.joined(separator: "\n")
        let yaml = RegistryTests.yaml.replacingOccurrences(of: "Hourly trips per driver", with: description)
            .replacingOccurrences(of: "feature_services:\n  - name: ranking\n    features: [driver_stats:trips]",
                                  with: services.isEmpty ? "" : "feature_services:\n" + list)
        return try CompiledProject.compile([(path: "f.yaml", text: yaml)]).get().definitions
    }

    @Test("versions, histories, diffs and revisions read the same from either store", arguments: backends)
    func versionsAndHistory(backend: String) throws {
        let (registry, _) = try Self.registry(backend)
        #expect(try registry.revision() == 0)
        #expect(try registry.apply(try registry.plan(for: try Self.definitions()), author: "ana", message: "first", allowsBreakingChanges: false) == 1)
        let changed = try registry.plan(for: try Self.definitions(description: "Trips per driver per hour"))
        #expect(changed.changes.map(\.name) == ["driver_stats"])
        #expect(try registry.apply(changed, author: "bo", message: "describe", allowsBreakingChanges: false) == 2)
        let removed = try registry.plan(for: try Self.definitions(services: [], description: "Trips per driver per hour"))
        #expect(try registry.apply(removed, author: "bo", message: nil, allowsBreakingChanges: true) == 3)
        let history = try registry.history(name: "driver_stats").map { "\($0.version) \($0.author) r\($0.revision)" }
        #expect(history == ["1 ana r1", "2 bo r2"], "\(history)")
        #expect(try registry.diff(name: "driver_stats", from: 1, to: 2).map { "\($0.path): \($0.old ?? "-") → \($0.new ?? "-")" }
                == ["description: Hourly trips per driver → Trips per driver per hour"])
        let revisions = try registry.revisions().map { "\($0.revision) \($0.author) \($0.message ?? "-") \($0.changeCount)" }
        #expect(revisions == ["3 bo - 1", "2 bo describe 1", "1 ana first 4"], "\(revisions)")
        #expect(try registry.latestObjects().map(\.name) == ["driver", "stats", "driver_stats"])
        #expect(try registry.latestObjects(includingRemoved: true).first { $0.name == "ranking" }?.isRemoved == true)
        #expect(try registry.allVersions(of: .view).first?.storageFingerprint?.count == 20)
        #expect(try registry.search("trips per driver").map(\.name) == ["driver_stats"])
    }

    @Test("a stale plan fails with the revision the registry moved to, and writes nothing", arguments: backends)
    func stalePlan(backend: String) throws {
        let (registry, _) = try Self.registry(backend)
        let first = try registry.plan(for: try Self.definitions())
        let second = try registry.plan(for: try Self.definitions(services: ["ranking", "pricing"]))
        try registry.apply(first, author: "ana", message: nil, allowsBreakingChanges: false)
        #expect(throws: RegistryError.changedSincePlan(planned: 0, current: 1)) {
            try registry.apply(second, author: "bo", message: nil, allowsBreakingChanges: false)
        }
        #expect(try registry.revision() == 1)
        #expect(RegistryError.changedSincePlan(planned: 0, current: 1).what
                == "the registry moved to revision 1 since your plan (made against revision 0) — run `strata plan` again")
    }

    @Test("8 concurrent appliers of different changes, retried until done: every change lands, revisions are consecutive", arguments: backends)
    func concurrentAppliers(backend: String) throws {
        let (registry, _) = try Self.registry(backend)
        try registry.apply(try registry.plan(for: try Self.definitions(services: [])), author: "base", message: nil, allowsBreakingChanges: false)
        let outcomes = Outcomes()
        // Eight OS threads (not a dispatch pool another test may hold), all appliers running at once.
        let done = DispatchSemaphore(value: 0)
        let appliers = (0..<8).map { index in Thread {
            defer { done.signal() }
            // Each applier adds its own service to whatever the registry holds now (as a checkout that pulls before
            // applying would), and tries again whenever another applier won the revision.
            for attempt in 1...100 {
                do {
                    let live = try registry.latestObjects().filter { $0.kind == .service }.map(\.name)
                    let plan = try registry.plan(for: try Self.definitions(services: Array(Set(live + ["service_\(index)"])).sorted()))
                    // The time between plan and apply that a person or a CI job takes, in small: others apply meanwhile.
                    usleep(UInt32.random(in: 0...3000))
                    try registry.apply(plan, author: "applier \(index)", message: nil, allowsBreakingChanges: false)
                    outcomes.add(attempt: attempt)
                    return
                } catch RegistryError.changedSincePlan {
                    continue
                } catch RegistryError.breakingChangesRefused {
                    // The list was read before another applier's service landed, the plan after: it would remove it.
                    continue
                } catch {
                    outcomes.fail("\(error)")
                    return
                }
            }
            outcomes.fail("applier \(index) never won")
        } }
        for applier in appliers { applier.start() }
        for _ in appliers { done.wait() }
        #expect(outcomes.failures == [])
        #expect(try registry.revisions().map(\.revision) == Array((1...9).reversed()))
        #expect(Set(try registry.latestObjects().filter { $0.kind == .service }.map(\.name)) == Set((0..<8).map { "service_\($0)" }))
        #expect(outcomes.retried > 0, "no applier ever lost a race: the test did not race")
    }

    @Test("setting an object back to an earlier content, or removing it, over someone else's version is a revert", arguments: backends)
    func reverts(backend: String) throws {
        let (registry, _) = try Self.registry(backend)
        try registry.apply(try registry.plan(for: try Self.definitions()), author: "ana", message: nil, allowsBreakingChanges: false)
        try registry.apply(try registry.plan(for: try Self.definitions(services: ["ranking", "pricing"], description: "Ana's words"), author: "ana"),
                           author: "ana", message: nil, allowsBreakingChanges: false)
        // Bo's checkout is stale: it still has the first description and no `pricing`.
        let stale = try registry.plan(for: try Self.definitions(), author: "bo")
        #expect(stale.changes.compactMap(\.reverts).sorted() == [
            "removes ana's feature service `pricing` (revision 2)",
            "reverts ana's change of revision 2 to feature view `driver_stats`",
        ])
        #expect(throws: RegistryError.revertsRefused(stale.changes.compactMap(\.reverts))) {
            try registry.apply(stale, author: "bo", message: nil, allowsBreakingChanges: true, allowsReverts: false)
        }
        // Ana undoing her own change is no revert; neither is a change nobody made before.
        #expect(try registry.plan(for: try Self.definitions(), author: "ana").changes.allSatisfy { $0.reverts == nil })
        #expect(try registry.plan(for: try Self.definitions(services: ["ranking", "pricing"], description: "new words"), author: "bo")
                .changes.allSatisfy { $0.reverts == nil })
    }

    @Test("training sets, check reports, job runs, profiles and drift reports round-trip", arguments: backends)
    func records(backend: String) throws {
        let (registry, _) = try Self.registry(backend)
        try registry.recordTrainingSet(id: "ts-a", createdAtMicros: 1, manifest: #"{"a":1}"#)
        try registry.recordTrainingSet(id: "ts-b", createdAtMicros: 2, manifest: #"{"b":"é"}"#)
        #expect(try registry.trainingSetManifestRecords().map(\.id) == ["ts-b", "ts-a"])
        #expect(try registry.trainingSetManifest(id: "ts-b") == #"{"b":"é"}"#)
        #expect(try registry.trainingSetManifest(id: "nope") == nil)
        try registry.recordCheckReport(id: "ck-1", createdAtMicros: 5, report: "{}")
        #expect(try registry.checkReportRecords().map(\.id) == ["ck-1"])
        #expect(try registry.recordCounts() == (trainingSets: 2, checkReports: 1))
        let run = try registry.startJobRun(kind: "materialize", startedAtMicros: 10, detail: "{}")
        try registry.finishJobRun(id: run, finishedAtMicros: 20, outcome: .failed, error: "boom", detail: #"{"x":1}"#)
        #expect(try registry.jobRuns().map { "\($0.kind) \($0.outcome) \($0.error ?? "-") \($0.finishedAtMicros ?? 0)" } == ["materialize failed boom 20"])
        try registry.recordTrainingSetProfile(id: "ts-a", profile: "p1")
        try registry.recordTrainingSetProfile(id: "ts-a", profile: "p2")
        #expect(try registry.trainingSetProfile(id: "ts-a") == "p2")
        let drift = try registry.recordDriftReport(createdAtMicros: 7, service: "ranking", reference: "r", current: "c", origin: "cli", isDrifting: true, report: "{}")
        #expect(try registry.driftReport(id: drift)?.isDrifting == true)
        #expect(try registry.driftReports(service: "ranking").count == 1)
        #expect(try registry.driftReports(service: "other").isEmpty)
    }

    @Test("tokens keep only their hash; a name is taken until revoked; every change moves the generation", arguments: backends)
    func tokens(backend: String) throws {
        let (registry, _) = try Self.registry(backend)
        let secret = TokenSecret.generate()
        let token = StoredToken(name: "ci", hash: TokenSecret.hash(secret), scopes: ["read", "push"], only: ["view:driver_*"], expiresAtMicros: 99,
                                createdAtMicros: 1, createdBy: "ana")
        let generation = try registry.store.tokenGeneration()
        try registry.store.createToken(token)
        #expect(try registry.store.tokens() == [token])
        #expect(try registry.store.tokens().allSatisfy { !$0.hash.contains(secret) && $0.hash.count == 64 })
        #expect(throws: RegistryError.tokenExists(name: "ci")) { try registry.store.createToken(token) }
        #expect(try registry.store.revokeToken(name: "ci", at: 5))
        #expect(try !registry.store.revokeToken(name: "ci", at: 6))
        #expect(try registry.store.tokenGeneration() == generation + 2)
        var again = token
        again.hash = TokenSecret.hash(TokenSecret.generate())
        try registry.store.createToken(again)
        #expect(try registry.store.tokens().map { $0.revokedAtMicros } == [5, nil])
    }
}

/// What concurrent appliers report.
final class Outcomes: @unchecked Sendable {
    // Guarded by `lock`; only touched through the methods below.
    private let lock = NSLock()
    private var attempts: [Int] = []
    private var errors: [String] = []

    func add(attempt: Int) { lock.withLock { attempts.append(attempt) } }
    func fail(_ message: String) { lock.withLock { errors.append(message) } }
    var failures: [String] { lock.withLock { errors } }
    var retried: Int { lock.withLock { attempts.filter { $0 > 1 }.count } }
}
