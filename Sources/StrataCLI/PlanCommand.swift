import ArgumentParser
import Foundation
import Strata
import StrataRegistry

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `apply` would change in the registry: added, changed and removed objects, breaking or not, and why.",
        discussion: """
        A change that alters the meaning of existing data is breaking: a join key change, a type or expression change, a TTL change, removing a feature a service uses, or removing an object. `apply` refuses breaking changes unless `--allow-breaking`. Pass the printed revision to `apply --expect-revision` to apply exactly this plan.

        The storage section says what `apply` costs, per source and view: "metadata only" (nothing is copied or computed), columns added, a conversion of stored rows, features recomputed from stored rows, or a materialization needed; and what a type change the stored rows cannot take would drop.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Who would apply (default: $USER): changes that undo someone else's work are marked as reverts.")
    var author: String?

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            let plan = try store.plan(author: author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown")
            let storage = try store.storagePlan(for: plan)
            if output.json {
                try printJSON(PlanReport(baseRevision: plan.baseRevision, changes: plan.changes, storage: storage))
            } else {
                print(renderPlan(plan, storage: storage))
            }
        }
    }
}

/// `plan --json`: the registry plan and its storage effects.
struct PlanReport: Encodable {
    var baseRevision: Int
    var changes: [PlannedChange]
    var storage: StoragePlan
}

func renderPlan(_ plan: RegistryPlan, storage: StoragePlan) -> String {
    guard !plan.isEmpty else { return "No changes: the registry (revision \(plan.baseRevision)) matches the definitions." }
    var lines = ["Registry revision \(plan.baseRevision) → \(plan.baseRevision + 1): \(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s")", ""]
    for change in plan.changes {
        let symbol = change.action == .added ? "+" : change.action == .removed ? "-" : "~"
        let versions = change.action == .added ? "new, v\(change.toVersion)" : change.action == .removed ? "v\(change.fromVersion ?? 0) → removed" : "v\(change.fromVersion ?? 0) → v\(change.toVersion)"
        lines.append("\(symbol) \(change.kind.displayName) `\(change.name)` (\(versions))\(change.isBreaking ? "  BREAKING" : "")")
        for reason in change.reasons { lines.append("    why breaking: \(reason)") }
        if let reverts = change.reverts { lines.append("    REVERT: \(reverts) (`strata apply` needs `--allow-revert`)") }
        if change.action == .changed {
            for field in change.fields { lines.append("    \(field.path): \(field.old ?? "—") → \(field.new ?? "—")") }
        }
    }
    if !storage.steps.isEmpty {
        lines += ["", "Storage:"]
        for step in storage.steps { lines.append("  \(step.kind.displayName) `\(step.name)`: \(step.summary)") }
    }
    if !storage.refusals.isEmpty {
        lines += ["", "Refused without --allow-breaking:"] + storage.refusals.map { "  - \($0)" }
        lines += ["With --allow-breaking:"] + storage.drops.map { "  - \($0)" }
    }
    let breaking = plan.breakingChanges.count
    lines.append("")
    lines.append(breaking == 0 ? "No breaking changes." : "\(breaking) breaking change\(breaking == 1 ? "" : "s"): `strata apply` needs `--allow-breaking`.")
    return lines.joined(separator: "\n")
}
