import ArgumentParser
import Foundation
import Strata
import StrataRegistry

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Write the definitions to the registry as one new revision, atomically.",
        discussion: """
        Every changed object gets a new version; history is kept forever. Breaking changes are refused unless `--allow-breaking`. If another `apply` lands first (or the registry moved past `--expect-revision`), this one fails with "the registry moved to revision N since your plan — run `strata plan` again" and writes nothing.

        Stored data follows what decides it, not the version: an edit of a description, an owner, tags, expectations, monitoring, logging or a TTL keeps every stored table as it is, so training sets and lookups answer exactly as before with no ingest and no materialize. A new or changed feature, a new view on an existing source, or a changed aggregation is computed here from the rows already stored (pushes included, source files never read again), and its online values are derived from the rows served now. A column type change the stored rows cannot take is refused, naming the first such row; `--allow-breaking` sets those values to null and keeps each in the quarantine. A killed apply leaves the previous revision serving; running it again finishes the job.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Apply breaking changes as new versions (old training-set manifests keep the versions they used).")
    var allowBreaking = false

    @Option(name: .shortAndLong, help: "Why this change is made; stored with the revision.")
    var message: String?

    @Option(name: .long, help: "Who applies the change (default: $USER).")
    var author: String?

    @Option(name: .long, help: "Refuse unless the registry is still at this revision (as printed by `strata plan`).")
    var expectRevision: Int?

    @Flag(name: .long, help: "Apply even where the plan undoes a teammate's change (sets an object back to an earlier version, or removes it).")
    var allowRevert = false

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            let who = author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            var plan = try store.plan(author: who)
            if let expectRevision { plan.baseRevision = expectRevision }
            // STRATA_FAULT_APPLY makes the process kill itself at a step of the apply (crash tests; see `ApplyFault`).
            let fault = ProcessInfo.processInfo.environment["STRATA_FAULT_APPLY"].flatMap(ApplyFault.init)
            let report = try store.apply(plan, author: who, message: message, allowsBreakingChanges: allowBreaking, allowsReverts: allowRevert,
                                         fault: fault) { line in
                if !output.json { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
            }
            if output.json {
                try printJSON(AppliedReport(revision: report.revision, changes: plan.changes, storage: report.storage, derived: report.derived,
                                            elapsedMicros: report.elapsedMicros))
                return
            }
            print(renderPlan(plan, storage: report.storage))
            for derived in report.derived {
                let tiles = derived.aggregationKeys.map { " and the aggregation tiles of \($0) keys" } ?? ""
                print("online: \(derived.view): derived \(derived.keys) keys\(tiles) from the rows served before")
            }
            if !plan.isEmpty { print("\nApplied revision \(report.revision).") }
        }
    }
}

struct AppliedReport: Encodable {
    var revision: Int
    var changes: [PlannedChange]
    var storage: StoragePlan
    var derived: [OnlineDerivation]
    var elapsedMicros: Int64
}
