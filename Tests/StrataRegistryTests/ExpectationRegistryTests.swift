// Expectations in the registry: adding, changing and removing them versions the source without a breaking change,
// and the stored definition reads back with its expectations.
import Foundation
import StrataCore
@testable import StrataRegistry
import StrataTestSupport
import Testing

@Suite struct ExpectationRegistryTests {
    static let expectations = """
        expectations:
          columns: {rate: {between: [0, 1]}}
          run: {row_count: {min: 10}}

    """

    func definitions(_ yaml: String) throws -> ProjectDefinitions {
        try CompiledProject.compile([(path: "f.yaml", text: yaml)]).get().definitions
    }

    @Test("adding, changing and removing expectations are versions, never breaking changes")
    func notBreaking() throws {
        let dir = TemporaryDirectory()
        let registry = try Registry(path: dir.file("registry.db").path)
        let plain = RegistryTests.yaml
        let with = plain.replacingOccurrences(of: "    schema: {driver_id: int64, trips: int64, rate: float64}\n",
                                              with: "    schema: {driver_id: int64, trips: int64, rate: float64}\n" + Self.expectations)
        #expect(with != plain)
        try registry.apply(try registry.plan(for: try definitions(plain)), author: "ana", message: nil, allowsBreakingChanges: false)
        for yaml in [with, with.replacingOccurrences(of: "min: 10", with: "min: 20"), plain] {
            let plan = try registry.plan(for: try definitions(yaml))
            #expect(plan.changes.count == 1 && plan.breakingChanges.isEmpty, "\(plan.changes)")
            try registry.apply(plan, author: "ana", message: nil, allowsBreakingChanges: false)
        }
        #expect(try registry.history(name: "stats").map(\.version) == [1, 2, 3, 4])
        let stored = try CanonicalJSON.decode(kind: .source, CanonicalJSON.encode(try definitions(with).sources[0]))
        guard case .source(let source) = stored else {
            Issue.record("expected a source")
            return
        }
        #expect(source.expectations?.run == [RunExpectation(rule: .rowCountMin(10))])
    }
}
