import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import Strata
import StrataColumnar
import StrataCore
import StrataOffline
import Synchronization

/// The custom headers of the training-set routes.
enum TrainingSetHeaders {
    // Constant, valid header names: the initializer only fails on characters these do not contain.
    static let id = HTTPField.Name("Strata-Training-Set-Id")!
    static let rows = HTTPField.Name("Strata-Rows")!
    static let reproducedFrom = HTTPField.Name("Strata-Reproduced-From")!
    static let arrowStream = "application/vnd.apache.arrow.stream"
}

extension FeatureServer {
    /// `POST /v1/historical` (a spine in, a training set out as an Arrow IPC stream), `GET /v1/training-sets/{id}` (its
    /// manifest) and `POST /v1/training-sets/{id}/reproduce` (the same stream again). Joins, encoding, hashing and the
    /// registry's SQLite run on `blockingPool`; at most `historicalInFlightMax` training sets are built or streamed at once.
    func addHistoricalRoutes(to router: Router<StrataRequestContext>) {
        router.post("v1/historical") { [self] request, context in try await historical(request, context) }
        router.get("v1/training-sets/{id}") { [self] _, context in
            let id = context.parameters.get("id") ?? ""
            let manifest = try await blockingPool.runIfActive { [store] in try store.trainingSetManifest(id: id).json() }
            var buffer = ByteBuffer()
            buffer.writeString(manifest)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        router.post("v1/training-sets/{id}/reproduce") { [self] _, context in
            let id = context.parameters.get("id") ?? ""
            let slot = try HistoricalSlot(self)
            let label = PushRequestIDs.next()
            let streamed = try await blockingPool.runIfActive { [store] in try store.reproduceStream(id: id, label: label) }
            return streamResponse(streamed, slot: slot)
        }
    }

    /// Reads the spine (Arrow IPC stream or file, Parquet, or JSON) and the options, builds the training set, and
    /// answers with its Arrow stream.
    func historical(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let media = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let isJSON = media == "application/json"
        guard isJSON || HistoricalOptions.columnarMediaTypes.contains(media) else {
            throw ServerError(status: .unsupportedMediaType, code: "unsupported_media_type",
                              message: "send the spine as \(TrainingSetHeaders.arrowStream) (or Arrow file, Parquet, application/json), not `\(media)`")
        }
        let slot = try HistoricalSlot(self)
        let limit = isJSON ? configuration.bodyBytesMax : configuration.spineBytesMax
        let body = try await bodyBytes(request, context, limit: limit, setting: isJSON ? "--body-bytes-max" : "--spine-bytes-max")
        var options = try HistoricalOptions(query: request.uri.queryParameters)
        let spine: SpineBytes
        if isJSON {
            let object = try JSONInput.object(body)
            try options.merge(object)
            spine = try JSONSpine.arrowBytes(object["spine"], order: object["spine_columns"], timestampColumn: options.timestampColumn,
                                             rowsMax: configuration.spineRowsMax)
        } else {
            guard body.readableBytes > 0 else { throw ServerError.badRequest("the request body is empty; send the spine", code: "empty_body") }
            let bytes = [UInt8](body.readableBytesView)
            spine = SpineBytes(bytes, format: SpineBytes.detectFormat(bytes), displayName: "the request body", rowsMax: configuration.spineRowsMax)
        }
        let historicalRequest = try options.request(spine: spine)
        let label = PushRequestIDs.next()
        let rowsMax = configuration.spineRowsMax
        do {
            let streamed = try await blockingPool.runIfActive { [store] in try store.historicalStream(historicalRequest, label: label) }
            return streamResponse(streamed, slot: slot)
        } catch let error as ColumnarError where error.code == .limitExceeded {
            // The reader only knows its own limit; the client needs the server setting that raises it.
            throw ServerError(status: .contentTooLarge, code: "spine_too_large",
                              message: "the spine has more than \(rowsMax) rows; split it, or start the server with a larger --spine-rows-max")
        }
    }

    /// A 200 whose body is the training set's Arrow IPC stream, one record batch per write. The content hash (of the CSV
    /// rendering) is computed beside the encoding; the manifest is recorded before the end-of-stream marker goes out,
    /// so a client that read a whole stream can fetch its manifest. A failure mid-stream cuts the connection: the
    /// client sees a stream without its end, never a short training set that looks whole.
    func streamResponse(_ streamed: StreamedTrainingSet, slot: HistoricalSlot) -> Response {
        var headers: HTTPFields = [.contentType: TrainingSetHeaders.arrowStream]
        headers[TrainingSetHeaders.id] = streamed.manifest.id
        headers[TrainingSetHeaders.rows] = String(streamed.trainingSet.spine.rows.count)
        if let original = streamed.manifest.reproducedFrom { headers[TrainingSetHeaders.reproducedFrom] = original }
        let pool = blockingPool, store = store
        let body = ResponseBody { (writer: inout any ResponseBodyWriter) in
            let set = streamed.trainingSet
            async let contentHash = pool.runIfActive { TrainingSetWriter.contentSHA256(set) }
            var stream = try TrainingSetArrowStream(set)
            var hasher = SHA256()
            while true {
                let isLast = stream.isAtEnd
                let (piece, advanced) = try await pool.runIfActive { [stream] in
                    var copy = stream
                    return (try copy.next(), copy)
                }
                stream = advanced
                guard let piece else { break }
                hasher.update(piece)
                if isLast {
                    let content = try await contentHash, sent = hasher.finalizeHex()
                    _ = try await pool.runIfActive { try store.record(streamed, contentSHA256: content, streamSHA256: sent) }
                }
                var buffer = ByteBuffer()
                buffer.writeBytes(piece)
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
            // The slot is held until the last byte is written.
            withExtendedLifetime(slot) {}
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// One of the `historicalInFlightMax` places for a training set being built or streamed, taken in `init` (503 when none
/// is free) and given back when the last reference goes: after the response body is written, or when the request
/// fails before, whichever path drops it.
final class HistoricalSlot: Sendable {
    private let server: FeatureServer

    init(_ server: FeatureServer) throws {
        let max = server.configuration.historicalInFlightMax
        guard server.historicalInFlight.wrappingAdd(1, ordering: .relaxed).newValue <= max else {
            server.historicalInFlight.subtract(1, ordering: .relaxed)
            throw ServerError(status: .serviceUnavailable, code: "busy", message: "\(max) training sets are already being built; retry",
                              retryAfterSeconds: 1)
        }
        self.server = server
    }

    deinit { server.historicalInFlight.subtract(1, ordering: .relaxed) }
}
