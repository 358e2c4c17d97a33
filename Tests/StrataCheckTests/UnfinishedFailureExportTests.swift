// OpenLineage STARTs always get an end (issue 22, item 7): a failed `historical` run whose end the registry could not
// record (left `running`) still exports as START then FAIL, at its start time.
import Foundation
import Strata
@testable import StrataCheck
import StrataCore
import StrataRegistry
import StrataTestSupport
import Testing

@Suite struct UnfinishedFailureExportTests {
    @Test("a failed historical run recorded without its end exports START and FAIL")
    func unfinishedFailureEnds() throws {
        let (_, store) = try OpenLineageExportTests.example()
        // What `recordFailedRun` leaves when `finishJobRun` fails: the start of a failure-only record.
        _ = try store.registry.startJobRun(kind: "historical", startedAtMicros: OpenLineageExportTests.t("2026-03-03T00:00:00Z"),
                                           detail: #"{"output":"/tmp/out.csv","spine":"/tmp/spine.csv"}"#)
        let events = try OpenLineageExportTests.events(store, .init(jobs: [.historical], host: "testhost"))
        #expect(events.map { $0["eventType"] as? String ?? "" } == ["START", "FAIL"], "\(events)")
        #expect(Set(events.map(OpenLineageExportTests.runID)).count == 1)
        #expect(events.allSatisfy { $0["eventTime"] as? String == "2026-03-03T00:00:00.000000Z" }, "\(events.map { $0["eventTime"] ?? "" })")
    }
}
