import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix
import StrataCheck
import StrataCore

extension FeatureServer {
    /// `GET /v1/lineage/openlineage?since=T&job=KIND`: the OpenLineage run events `strata lineage --export openlineage`
    /// prints, as JSON Lines. Reading the run records is blocking SQLite work, so it runs on the server's blocking pool.
    func addLineageRoutes(to router: Router<StrataRequestContext>) {
        router.get("v1/lineage/openlineage") { [self] request, _ in
            let options = try Self.lineageOptions(request.uri.queryParameters)
            let lines = try await blockingPool.runIfActive { [store] in try OpenLineageExport.events(store, options: options) }
            var buffer = ByteBuffer()
            for line in lines { buffer.writeString(line + "\n") }
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: buffer))
        }
    }

    static func lineageOptions(_ query: FlatDictionary<Substring, Substring>) throws -> OpenLineageExportOptions {
        var options = OpenLineageExportOptions()
        if let since = query["since"].map(String.init) {
            switch Timestamp.parse(since) {
            case .success(let micros): options.since = micros
            case .failure(let failure): throw ServerError.badRequest("`since`: \(failure)", code: "bad_time")
            }
        }
        for kind in query[values: "job"].map(String.init) {
            guard let job = OpenLineageJobKind(rawValue: kind) else {
                throw ServerError.badRequest("`job` must be one of \(OpenLineageJobKind.allCases.map(\.rawValue).joined(separator: ", ")), not `\(kind)`",
                                             code: "bad_job")
            }
            options.jobs.insert(job)
        }
        return options
    }
}
