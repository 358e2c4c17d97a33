import ArgumentParser
import Foundation
import Strata
import StrataCheck
import StrataCore

/// The options of `strata lineage --export openlineage`: which events, how to name them, where to send them.
struct LineageExportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only events at or after this time (RFC 3339).", valueName: "time")) var since: InstantArgument?
    @Option(help: ArgumentHelp("Only runs of this job: ingest, materialize, push, historical or check (repeatable).", valueName: "kind"))
    var job: [String] = []
    @Option(help: ArgumentHelp("The job namespace (default: OPENLINEAGE_NAMESPACE, else strata://HOST/PROJECT/PATH).", valueName: "name"))
    var namespace: String?
    @Option(help: ArgumentHelp("Post the events to this OpenLineage endpoint instead of printing them, e.g. http://localhost:5000.", valueName: "url"))
    var emit: String?
    @Option(help: ArgumentHelp("Bearer token for --emit (default: OPENLINEAGE_API_KEY).", valueName: "token")) var token: String?

    var isUsed: Bool { since != nil || !job.isEmpty || namespace != nil || emit != nil || token != nil }

    func validate() throws {
        for kind in job where OpenLineageJobKind(rawValue: kind) == nil {
            throw ValidationError("--job must be one of \(OpenLineageJobKind.allCases.map(\.rawValue).joined(separator: ", ")), not `\(kind)`")
        }
        if token != nil, emit == nil { throw ValidationError("--token goes with --emit") }
        if let emit {
            do { _ = try OpenLineageEmitter(url: emit, token: nil) } catch { throw ValidationError("--emit: \(error.what)") }
        }
    }

    func export(_ project: ProjectOptions) async throws {
        let environment = ProcessInfo.processInfo.environment
        var lines: [String] = []
        try reportingErrors {
            let options = OpenLineageExportOptions(jobNamespace: namespace ?? environment["OPENLINEAGE_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 },
                                                   since: since?.micros,
                                                   jobs: Set(job.compactMap(OpenLineageJobKind.init(rawValue:))))
            lines = try OpenLineageExport.events(try project.open(), options: options)
        }
        guard let emit else {
            for line in lines { print(line) }
            return
        }
        do {
            let emitter = try OpenLineageEmitter(url: emit, token: token ?? environment["OPENLINEAGE_API_KEY"])
            try await emitter.send(lines)
            print("sent \(lines.count) event\(lines.count == 1 ? "" : "s") to \(emitter.endpoint.absoluteString)")
        } catch {
            printError(error.description)
            throw ExitCode.failure
        }
    }
}
