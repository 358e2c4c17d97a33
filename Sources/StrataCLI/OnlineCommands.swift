import ArgumentParser
import Foundation
import Strata
import StrataCore
import StrataOffline

struct MaterializeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materialize",
        abstract: "Copy the latest feature values known at --end from the offline store into the LMDB online store.",
        discussion: """
        Per view and key, the best row (largest event time, then created time, then ingest sequence) with event and created time at or before --end is written, so a lookup at --end equals the offline point-in-time join for that instant. The whole run is one LMDB write transaction: a killed run leaves the online store as it was. A stored row is replaced only by a better one. --incremental reads only offline rows that were not eligible at the previous run's end.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var mapSize: MapSizeOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Views to materialize (default: all).")
    var views: [String] = []

    @Option(name: .long, help: ArgumentHelp("Materialize what was known at this instant (RFC 3339; default: now).", valueName: "time"))
    var end: InstantArgument?

    @Flag(name: .long, help: "Only read offline rows added or become eligible since the previous run.")
    var incremental = false

    func run() throws {
        try reportingErrors {
            let store = try mapSize.open(projectOptions)
            let progress = ProgressBar()
            let endMicros = end?.micros ?? currentMicros()
            // STRATA_FAULT_AFTER_ROWS makes the process kill itself mid-run; the crash-safety tests use it.
            let crashAfter = ProcessInfo.processInfo.environment["STRATA_FAULT_AFTER_ROWS"].flatMap(Int.init)
            let pause = ProcessInfo.processInfo.environment["STRATA_FAULT_PAUSE_FILE"]
            let reports = try store.materialize(views: views, end: endMicros, incremental: incremental, crashAfterKeys: crashAfter, pauseFile: pause) { view, done, total in
                progress.update("materialize \(view)", done: min(done, total), total: max(total, 1))
            }
            if output.json { try printJSON(reports); return }
            var table = TextTable("VIEW", "VERSION", "MODE", "END", "ROWS SCANNED", "KEYS WRITTEN", "KEYS KEPT", "ROWS/S")
            for r in reports {
                let seconds = max(Double(r.elapsedMicros) / 1e6, 1e-6)
                table.add(r.view, "v\(r.version)", r.isIncremental ? "incremental" : "full", r.end, "\(r.rowsScanned)", "\(r.keysWritten)", "\(r.keysKept)",
                          String(format: "%.0f", Double(r.rowsScanned) / seconds))
            }
            print(table.render())
            for r in reports {
                guard let keys = r.aggregationKeys, let bytes = r.aggregationBytes else { continue }
                print("\(r.view): aggregation tile records for \(keys) keys, \(bytes) bytes (\(keys == 0 ? 0 : bytes / keys) bytes per key)")
            }
        }
    }
}

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Look up the latest feature values for entities in the online store.",
        discussion: """
        Lookups through a service with `logging: {sample_rate: …}` are appended to the feature log for `strata check --logs`. Each --key is one entity row, e.g. `--key driver_id=1001` or `--key driver_id=1,customer_id=7` for composite keys. Each value comes with its status: present, not_found (key never materialized) or expired (older than the view's TTL at --at, default now), and the event time of the row it came from.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "A feature service whose features to fetch.")
    var service: String?

    @Option(name: .long, help: ArgumentHelp("Features to fetch: `view:feature,view:*`.", valueName: "list"))
    var features: String?

    @Option(name: .long, help: ArgumentHelp("One entity row: `name=value[,name=value]`. Repeat for more rows.", valueName: "keys"))
    var key: [String] = []

    @Option(name: .long, help: ArgumentHelp("Apply the TTL rule at this instant instead of now (RFC 3339).", valueName: "time"))
    var at: InstantArgument?

    func validate() throws {
        guard (service == nil) != (features == nil) else { throw ValidationError("pass exactly one of --service or --features") }
        guard !key.isEmpty else { throw ValidationError("pass at least one --key, e.g. --key driver_id=1001") }
    }

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            let selection: FeatureSelection = try service.map { .service($0) } ?? FeatureSelection.parseList(features ?? "")
            let reader = try store.onlineReader(selection)
            let codec = KeyCodec(names: reader.keyNames, types: reader.keyTypes)
            let rows = try key.map { try parseEntityKeys($0, codec) }
            let now = at?.micros ?? currentMicros()
            let values = try reader.get(rows, at: now)
            // In-process lookups of a logging service are logged too, so `strata check --logs` can replay them.
            if let service { try store.logServed(reader, service: service, rows: rows, values: values, at: now) }
            if output.json {
                try printJSON(GetReport(at: Timestamp.format(now), features: reader.references, rows: zip(key, values).map { GetReport.Row(key: $0.0, values: $0.1) }))
                return
            }
            var table = TextTable("ENTITY", "FEATURE", "VALUE", "STATUS", "EVENT TIME")
            for (text, row) in zip(key, values) {
                for (name, value) in zip(reader.references, row) {
                    table.add(text, name, value.value.isNull ? "null" : value.value.description, value.status.rawValue, value.eventTs.map(Timestamp.format) ?? "")
                }
            }
            print(table.render())
        }
    }
}

struct GetReport: Encodable {
    struct Row: Encodable {
        var key: String
        var values: [OnlineFeatureValue]
    }

    var at: String
    var features: [String]
    var rows: [Row]
}

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Write fresh rows (JSON Lines with the view's source columns) to the offline and online stores.",
        discussion: """
        The rows go to the view's source: the offline append commits first, with lineage (the batch is recorded as `push:FILE` with its SHA-256); then every view of the source gets them online, with features computed by the Swift evaluator. A stored row is replaced only by a better one, so shuffled batches give the same state. Pushing the same batch again is idempotent, which also repairs a crash between the two writes. The source's expectations are checked as for `ingest`: failing rows go to quarantine, and a failing run rule rejects the whole batch (nothing is written, exit code 1).
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var mapSize: MapSizeOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The feature view to push to.") var view: String

    @Option(name: .long, help: ArgumentHelp("The JSON Lines file of rows.", valueName: "file"))
    var file: String

    func run() throws {
        try reportingErrors {
            // STRATA_FAULT_BEFORE_ONLINE makes the process kill itself between the offline and online writes (crash tests).
            let crashes = ProcessInfo.processInfo.environment["STRATA_FAULT_BEFORE_ONLINE"] == "1"
            let report = try mapSize.open(projectOptions).push(view: view, file: URL(fileURLWithPath: file), crashesBeforeOnline: crashes)
            if output.json {
                try printJSON(report)
                try exitIfRejected([report.offline])
                return
            }
            let o = report.offline
            if report.isRejected {
                printValidation(o)
                try exitIfRejected([o])
            }
            let views = report.views.map(\.view).joined(separator: ", ")
            print("pushed \(o.rowsAccepted) row\(o.rowsAccepted == 1 ? "" : "s") to \(report.source) (offline run \(o.runID.map(String.init) ?? "-"), \(o.change.rawValue)); online (\(views)): \(report.onlineWritten) written, \(report.onlineKept) kept (a better row was stored)")
            for q in o.quarantineSample { print("  quarantined \(q.file):\(q.line)  \(q.reason)") }
            printValidation(o)
        }
    }
}
