import ArgumentParser
import Foundation
import Strata
import StrataCheck
import StrataCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify training/serving parity and explain every mismatch.",
        discussion: """
        --logs replays logged lookups (server and in-process, for services with logging on) through the offline point-in-time join at each lookup's own time, in known mode. --snapshot compares the online store's answer at --at with the offline join for every (or --sample N) stored key. Each mismatch gets a reason: late_write, ttl_edge, tie_break, missing_in_offline, missing_in_online or value_drift; windowed aggregations are compared exactly (floats by their bits) with the training-set sweep and get late_write (an event created before the lookup reached the store after it), window_edge (an event exactly on the window's lower bound or at the lookup time) or value_drift. The report is saved in the registry; --max-mismatch makes the exit code 1 when any feature's mismatch rate exceeds it.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Replay the feature log.") var logs = false
    @Flag(help: "Compare the online store with the offline join at --at.") var snapshot = false
    @Option(help: ArgumentHelp("Only lookups at or after this time (RFC 3339).", valueName: "time")) var since: InstantArgument?
    @Option(help: ArgumentHelp("Only lookups at or before this time (RFC 3339).", valueName: "time")) var until: InstantArgument?
    @Option(help: "Only lookups of this service.") var service: String?
    @Option(help: ArgumentHelp("Snapshot instant (RFC 3339; default now).", valueName: "time")) var at: InstantArgument?
    @Option(help: "Snapshot: compare this many keys per view, evenly spread.") var sample: Int?
    @Option(help: ArgumentHelp("Fail (exit 1) when a feature's mismatch rate exceeds this fraction, e.g. 0.001.", valueName: "rate"))
    var maxMismatch: Double?

    func validate() throws {
        guard logs != snapshot else { throw ValidationError("pass exactly one of --logs or --snapshot") }
        if let maxMismatch, !(0...1).contains(maxMismatch) { throw ValidationError("--max-mismatch must be between 0 and 1") }
    }

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            let report = logs
                ? try ConsistencyChecker.checkLogs(store, since: since?.micros, until: until?.micros, service: service, maxMismatch: maxMismatch)
                : try ConsistencyChecker.checkSnapshot(store, at: at?.micros ?? currentMicros(), sample: sample, maxMismatch: maxMismatch)
            if output.json { try printJSON(report) } else { printReport(report) }
            if !report.passed { throw ExitCode.failure }
        }
    }

    func printReport(_ report: CheckReport) {
        print("check \(report.id) (\(report.mode)): \(report.rowsReplayed) \(report.mode == "logs" ? "logged rows" : "values") replayed")
        var table = TextTable("FEATURE", "COMPARED", "MISMATCH", "MISSING ONLINE", "MISSING OFFLINE", "SMAPE", "MAX |DIFF|", "REASONS")
        for f in report.features {
            table.add(f.feature, "\(f.compared)", percent(f.mismatchRate), percent(f.missingOnlineRate), percent(f.missingOfflineRate),
                      f.smape.map { String(format: "%.4f", $0) } ?? "-", f.maxAbsDiff.map { String(format: "%.4g", $0) } ?? "-",
                      f.reasons.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        print(report.features.isEmpty ? "(nothing to compare)" : table.render())
        if !report.examples.isEmpty {
            print("\nmismatches (first \(min(report.examples.count, 10))):")
            var examples = TextTable("FEATURE", "KEYS", "AT", "ONLINE", "OFFLINE", "REASON")
            for m in report.examples.prefix(10) {
                examples.add(m.feature, m.keys.description, m.requestTime, "\(m.online) (\(m.onlineStatus), row \(m.onlineLineageID.map(String.init) ?? "-"))",
                             "\(m.offline) (\(m.offlineStatus), row \(m.offlineLineageID.map(String.init) ?? "-"))", m.reason)
            }
            print(examples.render())
        }
        for (view, count) in (report.undecodableOnlineKeys ?? [:]).sorted(by: { $0.key < $1.key }) where count > 0 {
            print("\nFAIL: \(count) stored online key\(count == 1 ? "" : "s") of \(view) cannot be decoded (a damaged online store); they were not compared")
        }
        if let max = report.maxMismatch { print("\n\(report.passed ? "PASS" : "FAIL"): threshold \(percent(max)) per feature") }
    }

    func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}

struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Trace a value to its source file line, ingest run and definition, or show a training set's upstream graph.",
        discussion: """
        --view V --key k=v --at T traces what the offline join gives at T (known mode). With --feature NAME naming one of the view's windowed aggregations, it shows the aggregation's definition version and window at T, the training-set and online values, and the events it folds: their count, then a page of them (--offset, --limit) with file:line, event and created time and input. --training-set ID --row N --feature view:feature traces one cell of a recorded training set. --training-set ID alone prints its manifest and upstream graph.

        --export openlineage prints OpenLineage 2-0-2 run events (JSON Lines) for every recorded run of ingest, push, materialize, historical and check: START, then COMPLETE or FAIL, with datasets named by where they live and column-level lineage. --emit URL posts them to a lineage server instead (`/api/v1/lineage` is added to a bare server URL), with a bearer token from --token or OPENLINEAGE_API_KEY; a failed post is retried briefly, then the command stops with exit code 1 and says which event failed.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "The feature view of the value.") var view: String?
    @Option(help: ArgumentHelp("The entity: `name=value[,name=value]`.", valueName: "keys")) var key: String?
    @Option(help: ArgumentHelp("The instant (RFC 3339; default now).", valueName: "time")) var at: InstantArgument?
    @Option(name: .customLong("training-set"), help: "A recorded training set id.") var trainingSet: String?
    @Option(help: "A training-set row (1-based, spine order).") var row: Int?
    @Option(help: "A training-set feature (`view:feature`), or with --view one of its aggregations.") var feature: String?
    @Option(help: "With --view and --feature: skip this many contributing events.") var offset: Int = 0
    @Option(help: "With --view and --feature: list at most this many contributing events.") var limit: Int = 50
    @Option(help: "Export format: openlineage.") var export: String?
    @OptionGroup var exportOptions: LineageExportOptions

    func validate() throws {
        if let export, export != "openlineage" { throw ValidationError("--export supports `openlineage`") }
        if export == nil, view == nil, trainingSet == nil { throw ValidationError("pass --view with --key, --training-set, or --export openlineage") }
        if view != nil, key == nil { throw ValidationError("--view needs --key, e.g. --key driver_id=1001") }
        if trainingSet != nil, (row == nil) != (feature == nil) { throw ValidationError("--row and --feature go together") }
        if row != nil, trainingSet == nil { throw ValidationError("--row goes with --training-set") }
        if offset < 0 || limit < 0 { throw ValidationError("--offset and --limit must not be negative") }
        if export == nil, exportOptions.isUsed { throw ValidationError("--since, --job, --namespace, --emit and --token go with --export openlineage") }
    }

    func run() async throws {
        if export != nil { return try await exportOptions.export(projectOptions) }
        try reportingErrors {
            let store = try projectOptions.open()
            if let trainingSet, let row, let feature {
                try show(try LineageTracer.trace(store, trainingSet: trainingSet, row: row, feature: feature))
            } else if let trainingSet {
                let graph = try LineageTracer.graph(store, trainingSet: trainingSet)
                if output.json { try printJSON(graph); return }
                let m = graph.manifest
                print("training set \(m.id): \(m.rowCount) rows, created \(m.createdAt), mode \(m.corrections)\(m.asOf.map { " \($0)" } ?? "")")
                print("spine:    \(m.spine.path) (sha256 \(m.spine.sha256.prefix(16))…)")
                print("output:   \(m.output.path) (content sha256 \(m.output.contentSHA256.prefix(16))…)")
                print("features: \(m.features.joined(separator: ", "))")
                print("\nsources \(graph.sources.joined(separator: ", ")) → views \(graph.views.joined(separator: ", ")) → services \(graph.services.joined(separator: ", ")) → \(m.id)")
                for v in m.views { print("  \(v.name) v\(v.version): ingest runs \(v.ingestRuns.map(String.init).joined(separator: ",")), watermark seq \(v.maxIngestSeq ?? 0)") }
                if !graph.materializations.isEmpty { print("materializations: \(graph.materializations.joined(separator: "; "))") }
                if !graph.checkReports.isEmpty { print("check reports: \(graph.checkReports.joined(separator: ", "))") }
            } else if let view, let key {
                let tables = try store.featureTables()
                guard let spec = tables[view] else { throw FeatureStoreError.unknownView(view, suggestion: nearMiss(view, in: tables.keys)) }
                let keys = try parseEntityKeys(key, KeyCodec(keys: spec.view.keys))
                let instant = at?.micros ?? currentMicros()
                if let feature {
                    try show(try LineageTracer.traceAggregation(store, view: view, keys: keys, at: instant, feature: feature, offset: offset, limit: limit))
                } else {
                    try show(try LineageTracer.trace(store, view: view, keys: keys, at: instant))
                }
            }
        }
    }

    func show(_ lineage: AggregationLineage) throws {
        if output.json { try printJSON(lineage); return }
        let input = lineage.column.map { " of \($0)" } ?? ""
        let filter = lineage.filter.map { " where \($0)" } ?? ""
        print("\(lineage.view) v\(lineage.viewVersion) `\(lineage.feature)`: \(lineage.function)\(input)\(filter), window \(lineage.window), hop \(lineage.hop)")
        print("for \(lineage.keys) at \(lineage.at): window (\(lineage.windowLower), \(lineage.at)]")
        print("training set: \(lineage.value) (\(lineage.status)); online: \(lineage.onlineValue) (\(lineage.onlineStatus))")
        print("\(lineage.eventCount) contributing event\(lineage.eventCount == 1 ? "" : "s")\(lineage.eventCount > lineage.events.count ? ", showing \(lineage.offset + 1)…\(lineage.offset + lineage.events.count)" : "")")
        guard !lineage.events.isEmpty else { return }
        var table = TextTable("SOURCE", "EVENT TIME", "CREATED", "INPUT", "ROW", "RUN")
        for e in lineage.events {
            table.add(e.file.map { "\($0):\(e.line ?? 0)" } ?? "-", e.eventTs, e.createdTs, e.input, String(e.rowID), e.ingestRun.map(String.init) ?? "-")
        }
        print(table.render())
    }

    func show(_ lineage: ValueLineage) throws {
        if output.json { try printJSON(lineage); return }
        print("\(lineage.view) v\(lineage.viewVersion) for \(lineage.keys) at \(lineage.at): \(lineage.status)")
        guard let source = lineage.source else { print("no feature row is visible at that instant"); return }
        print("feature row: event \(lineage.eventTs ?? "-"), created \(lineage.createdTs ?? "-"), ingest seq \(lineage.lineageID ?? 0)")
        print("source:      \(source.file):\(source.line) (\(source.source) v\(source.sourceVersion), file version \(source.fileVersion), sha256 \(source.fileSHA256.prefix(16))…)")
        print("ingest run:  \(source.runID), started \(Timestamp.format(source.runStartedAtMicros))")
        print("source row:  " + lineage.sourceValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        var table = TextTable("FEATURE", "VALUE", "EXPRESSION")
        for (name, value) in lineage.values.sorted(by: { $0.key < $1.key }) { table.add(name, value, lineage.expressions[name] ?? "") }
        print(table.render())
        if let online = lineage.onlineLineageID {
            print("online store now serves row \(online) (event \(lineage.onlineEventTs ?? "-"))\(online == lineage.lineageID ? ", the same row" : "")")
        }
    }
}
