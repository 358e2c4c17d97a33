import ArgumentParser
import Foundation
import Strata
import StrataRegistry

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Write the definitions to the registry as one new revision, atomically.",
        discussion: """
        Every changed object gets a new version; history is kept forever. Breaking changes are refused unless `--allow-breaking`. If another `apply` lands first (or the registry moved past `--expect-revision`), this one fails with "registry changed since plan, re-run" and writes nothing.
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

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            var plan = try store.plan()
            if let expectRevision { plan.baseRevision = expectRevision }
            let who = author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            let revision = try store.apply(plan, author: who, message: message, allowsBreakingChanges: allowBreaking)
            if output.json {
                try printJSON(AppliedReport(revision: revision, changes: plan.changes))
            } else if plan.isEmpty {
                print(renderPlan(plan))
            } else {
                print(renderPlan(plan))
                print("\nApplied revision \(revision).")
            }
        }
    }
}

struct AppliedReport: Encodable {
    var revision: Int
    var changes: [PlannedChange]
}
