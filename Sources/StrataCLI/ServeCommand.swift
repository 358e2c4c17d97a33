import ArgumentParser
import Foundation
import Strata
import StrataCore
import StrataServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve online features over HTTP (Feast-compatible API), with metrics and feature logging.",
        discussion: """
        Routes: POST /get-online-features (Feast), POST /v1/features (row-major), POST /push, GET /registry/{services|views|features|entities}, GET /v1/registry/objects/{name}, POST /v1/historical (a spine in, a training set out as an Arrow IPC stream), GET /v1/training-sets/{id}, POST /v1/training-sets/{id}/reproduce, GET /v1/lineage/openlineage (OpenLineage events), GET /ui (the web UI: registry, training sets, data quality, parity, lookup; with --token-file it asks for the token once and keeps it in an HttpOnly cookie), GET /health, GET /ready, GET /metrics (Prometheus), GET /openapi.json. Reads the project's LMDB store in-process, so a materialize or push is visible to the next request. Services with `logging: {sample_rate: …}` log served rows to .strata/feature_log.db off the request path. SIGTERM or SIGINT finishes in-flight requests and flushes the log.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var mapSize: MapSizeOptions

    @Option(help: "The address to bind (loopback unless told otherwise).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 6566

    @Option(name: .long, help: ArgumentHelp("A file holding the bearer token every route but /health requires (the web UI asks for it on a login page).", valueName: "file"))
    var tokenFile: String?

    @Option(help: "Largest accepted request body, in bytes.")
    var bodyBytesMax = 1 << 20

    @Option(help: "Most entity rows accepted in one request.")
    var entitiesMax = 1000

    @Option(help: "Pushes that may run at once; more get 503 with Retry-After.")
    var pushesMax = 4

    @Option(help: "Largest Arrow or Parquet spine accepted by POST /v1/historical, in bytes (JSON spines: --body-bytes-max).")
    var spineBytesMax = 256 << 20

    @Option(help: "Most spine rows accepted by POST /v1/historical.")
    var spineRowsMax = 2_000_000

    @Option(help: "Training sets that may be built or streamed at once; more get 503 with Retry-After.")
    var historicalMax = 2

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard spineBytesMax > 0, spineRowsMax > 0, historicalMax > 0 else {
            throw ValidationError("--spine-bytes-max, --spine-rows-max and --historical-max must be positive")
        }
        if let tokenFile, (try? String(contentsOfFile: tokenFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true {
            throw ValidationError("--token-file \(tokenFile) cannot be read or is empty")
        }
    }

    func run() async throws {
        let token = tokenFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            let store = try mapSize.open(projectOptions)
            var configuration = ServerConfiguration(host: host, port: port, token: token, bodyBytesMax: bodyBytesMax, entitiesMax: entitiesMax,
                                                    pushesInFlightMax: pushesMax, spineBytesMax: spineBytesMax, spineRowsMax: spineRowsMax,
                                                    historicalInFlightMax: historicalMax)
            // STRATA_FAULT_BEFORE_ONLINE makes a push kill the server between its offline and online writes (crash tests).
            configuration.crashesBeforeOnlinePush = ProcessInfo.processInfo.environment["STRATA_FAULT_BEFORE_ONLINE"] == "1"
            let server = try FeatureServer(store: store, configuration: configuration)
            try await server.run { port in
                FileHandle.standardOutput.write(Data("strata serving on http://\(host):\(port)\n".utf8))
            }
        } catch let error as any StrataError {
            printStrataError(error)
            throw ExitCode.failure
        } catch let error as DefinitionErrors {
            printStrataError(error)
            throw ExitCode.failure
        }
    }
}
