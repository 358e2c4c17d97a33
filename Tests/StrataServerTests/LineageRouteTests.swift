// GET /v1/lineage/openlineage on a real loopback server: the same events as the in-process export, the `job` and
// `since` filters, bad parameters as 400s, and the bearer token required like every other route.
import Foundation
import Strata
import StrataCheck
import StrataCore
import Testing

@Suite(.serialized) struct LineageRouteTests {
    @Test("the lineage route serves the export's events as JSON Lines, filtered by job and since, behind the token")
    func lineageRoute() async throws {
        let f = ServerFixture()
        try await f.start(token: "s3cret")
        #expect(try await f.request("GET", "/v1/lineage/openlineage").0 == 401)
        #expect(try await f.request("GET", "/v1/lineage/openlineage", token: "wrong").0 == 401)
        let (status, body) = try await f.request("GET", "/v1/lineage/openlineage", token: "s3cret")
        #expect(status == 200)
        let expected = try OpenLineageExport.events(f.store)
        #expect(expected.count == 4, "one ingest and one materialization: START and COMPLETE each")
        #expect(body == expected.map { $0 + "\n" }.joined())
        let materialize = try await f.request("GET", "/v1/lineage/openlineage?job=materialize", token: "s3cret").1
        #expect(materialize == (try OpenLineageExport.events(f.store, options: .init(jobs: [.materialize]))).map { $0 + "\n" }.joined())
        #expect(materialize.split(separator: "\n").allSatisfy { $0.contains(#""name":"materialize.driver_trips""#) })
        let both = try await f.request("GET", "/v1/lineage/openlineage?job=materialize&job=ingest", token: "s3cret").1
        #expect(both == body)
        #expect(try await f.request("GET", "/v1/lineage/openlineage?since=2999-01-01T00:00:00Z", token: "s3cret") == (200, ""))
        let badJob = try await f.request("GET", "/v1/lineage/openlineage?job=train", token: "s3cret")
        #expect(badJob.0 == 400)
        #expect(badJob.1.contains(#""code":"bad_job""#))
        #expect(try await f.request("GET", "/v1/lineage/openlineage?since=yesterday", token: "s3cret").0 == 400)
        await f.stop()
    }
}
