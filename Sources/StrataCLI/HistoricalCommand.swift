import ArgumentParser
import Foundation
import Strata
import StrataCore
import StrataOffline

struct HistoricalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "historical",
        abstract: "Build a point-in-time-correct training set from a spine of (entity keys, timestamp) rows.",
        discussion: """
        Every spine row gives exactly one output row, in spine order, duplicates and extra columns kept, plus one column per feature (`view__feature`). A value stamped at exactly the spine time is visible (`--strict` makes it invisible); values older than a view's TTL are null. `--corrections known` (default) only sees rows whose created time is at or before the spine time, so later corrections never leak into the past; `latest` sees every version; `--as-of T` sees the store as it stood at T. Windowed aggregations (`aggregations:` of a view) are computed per spine row over the events in the window before its time, with the same corrections modes; `--strict` makes their windows `lower <= event_ts < t`. The output format follows the extension (.csv, .jsonl, .db, .parquet, .arrow/.feather, or .arrows for the Arrow IPC stream format); the spine may be CSV, Parquet or Arrow (.parquet, .arrow, .feather), or `-` for Arrow IPC or Parquet bytes on standard input (kept in the project's .strata/spines so the set can be reproduced), and its columns keep their types in Parquet and Arrow output; a manifest is written beside it and recorded in the registry, and `--reproduce ID` regenerates the same bytes later.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: ArgumentHelp("The spine (.csv, .parquet, .arrow or .feather, or - for Arrow or Parquet on standard input): key columns, a time column, any other columns.", valueName: "file"))
    var entities: String?

    @Option(name: .long, help: "A feature service whose features to fetch.")
    var service: String?

    @Option(name: .long, help: ArgumentHelp("Features to fetch: `view:feature,view:*`.", valueName: "list"))
    var features: String?

    @Option(name: .long, help: "Which feature versions are visible: known (default) or latest.")
    var corrections: CorrectionsChoice = .known

    @Option(name: .long, help: ArgumentHelp("See only rows created at or before this instant (RFC 3339).", valueName: "time"))
    var asOf: InstantArgument?

    @Flag(name: .long, help: "A value stamped exactly at the spine time is not visible (event_ts < t).")
    var strict = false

    @Option(name: .long, help: "The spine's time column.")
    var timestampColumn = "event_timestamp"

    @Flag(name: .long, help: "Add `view__status` and `view__event_ts` columns (present, not_found, expired).")
    var includeStatus = false

    @Flag(name: .long, help: "Name columns by feature only (fails if two views share a feature name).")
    var bareNames = false

    @Option(name: .long, help: ArgumentHelp("Where to write the training set (.csv, .jsonl, .db, .parquet, .arrow/.feather, or .arrows).", valueName: "file"))
    var out: String?

    @Option(name: .long, help: "The table name for .db output.")
    var table = "training_set"

    @Option(name: .long, help: ArgumentHelp("Regenerate a recorded training set by its id, beside the original (or at --out); exit 1 if the bytes differ.", valueName: "id"))
    var reproduce: String?

    @Flag(name: .long, help: "List recorded training sets.")
    var list = false

    @Option(name: .long, help: ArgumentHelp("Show a recorded training set's manifest (with --json: as JSON).", valueName: "id"))
    var show: String?

    enum CorrectionsChoice: String, ExpressibleByArgument, CaseIterable { case known, latest }

    func validate() throws {
        if list || reproduce != nil || show != nil { return }
        guard entities != nil else { throw ValidationError("missing --entities (the spine file)") }
        guard (service == nil) != (features == nil) else { throw ValidationError("pass exactly one of --service or --features") }
        guard out != nil else { throw ValidationError("missing --out (where to write the training set)") }
    }

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            if list { return try printList(store) }
            if let show { return try printManifest(try store.trainingSetManifest(id: show)) }
            let result: HistoricalResult
            if let reproduce {
                result = try store.reproduce(id: reproduce, outputPath: out, progress: Self.progressLine)
            } else {
                var mode: CorrectionsMode = corrections == .latest ? .latest : .known
                if let asOf { mode = .asOf(asOf.micros) }
                let selection: FeatureSelection = try service.map { .service($0) } ?? FeatureSelection.parseList(features ?? "")
                var request = HistoricalRequest(spinePath: entities ?? "", features: selection, corrections: mode, isStrict: strict,
                                                timestampColumn: timestampColumn, includesStatus: includeStatus, usesBareNames: bareNames,
                                                outputPath: out ?? "", table: table)
                request.progress = Self.progressLine
                if entities == "-" {
                    let bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
                    request.spineBytes = SpineBytes(bytes, format: SpineBytes.detectFormat(bytes), displayName: "standard input")
                }
                result = try store.historical(request)
            }
            if output.json { try printJSON(result.manifest) } else { printSummary(result) }
            if result.matchesOriginal == false, let reproduce {
                throw FeatureStoreError.reproductionDiffers(id: reproduce, original: result.originalContentSHA256 ?? "",
                                                            reproduced: result.manifest.output.contentSHA256, path: result.manifest.output.path)
            }
        }
    }

    /// A long step's progress, on stderr when it is a terminal or STRATA_PROGRESS=1 (Spark's session start takes seconds).
    static let progressLine: @Sendable (String) -> Void = { line in
        guard isatty(STDERR_FILENO) == 1 || ProcessInfo.processInfo.environment["STRATA_PROGRESS"] == "1" else { return }
        FileHandle.standardError.write(Data("\(line)\n".utf8))
    }

    func printSummary(_ result: HistoricalResult) {
        let m = result.manifest
        print("training set \(m.id): \(m.rowCount) rows × \(m.features.count) features → \(m.output.path)")
        print("manifest: \(TrainingSetManifest.path(beside: m.output.path))")
        print("mode: \(m.corrections)\(m.asOf.map { " \($0)" } ?? "")\(m.isStrict ? ", strict" : "")\(m.engine.map { "   engine: \($0)" } ?? "")   content sha256: \(m.output.contentSHA256.prefix(16))…")
        var table = TextTable("VIEW", "VERSION", "PRESENT", "NOT_FOUND", "EXPIRED", "INGEST RUNS")
        for v in m.views {
            table.add(v.name, "v\(v.version)", "\(v.statusCounts["present"] ?? 0)", "\(v.statusCounts["not_found"] ?? 0)", "\(v.statusCounts["expired"] ?? 0)",
                      v.ingestRuns.map(String.init).joined(separator: ","))
        }
        print(table.render())
        if result.matchesOriginal == true { print("reproduced \(m.reproducedFrom ?? ""): identical to the original (same content hash)") }
    }

    func printManifest(_ manifest: TrainingSetManifest) throws {
        if output.json { return try printJSON(manifest) }
        print("training set \(manifest.id): \(manifest.rowCount) rows × \(manifest.features.count) features, created \(manifest.createdAt)")
        print("output: \(manifest.output.path) (\(manifest.output.format.rawValue))   content sha256: \(manifest.output.contentSHA256)")
        print("spine: \(manifest.spine.path)   mode: \(manifest.corrections)\(manifest.asOf.map { " \($0)" } ?? "")\(manifest.isStrict ? ", strict" : "")")
        print("features: \(manifest.features.joined(separator: ", "))")
    }

    func printList(_ store: FeatureStore) throws {
        let manifests = try store.trainingSetManifests()
        if output.json { try printJSON(manifests); return }
        guard !manifests.isEmpty else { print("(no training sets)"); return }
        var table = TextTable("ID", "CREATED", "ROWS", "FEATURES", "MODE", "OUTPUT")
        for m in manifests { table.add(m.id, m.createdAt, "\(m.rowCount)", "\(m.features.count)", m.corrections, m.output.path) }
        print(table.render())
    }
}
