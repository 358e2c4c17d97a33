import ArgumentParser
import Strata
import StrataRegistry

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `apply` would change in the registry: added, changed and removed objects, breaking or not, and why.",
        discussion: """
        A change that alters the meaning of existing data is breaking: a join key change, a type or expression change, a TTL change, removing a feature a service uses, or removing an object. `apply` refuses breaking changes unless `--allow-breaking`. Pass the printed revision to `apply --expect-revision` to apply exactly this plan.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors {
            let plan = try projectOptions.open().plan()
            if output.json { try printJSON(plan) } else { print(renderPlan(plan)) }
        }
    }
}

func renderPlan(_ plan: RegistryPlan) -> String {
    guard !plan.isEmpty else { return "No changes: the registry (revision \(plan.baseRevision)) matches the definitions." }
    var lines = ["Registry revision \(plan.baseRevision) → \(plan.baseRevision + 1): \(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s")", ""]
    for change in plan.changes {
        let symbol = change.action == .added ? "+" : change.action == .removed ? "-" : "~"
        let versions = change.action == .added ? "new, v\(change.toVersion)" : change.action == .removed ? "v\(change.fromVersion ?? 0) → removed" : "v\(change.fromVersion ?? 0) → v\(change.toVersion)"
        lines.append("\(symbol) \(change.kind.displayName) `\(change.name)` (\(versions))\(change.isBreaking ? "  BREAKING" : "")")
        for reason in change.reasons { lines.append("    why breaking: \(reason)") }
        if change.action == .changed {
            for field in change.fields { lines.append("    \(field.path): \(field.old ?? "—") → \(field.new ?? "—")") }
        }
    }
    let breaking = plan.breakingChanges.count
    lines.append("")
    lines.append(breaking == 0 ? "No breaking changes." : "\(breaking) breaking change\(breaking == 1 ? "" : "s"): `strata apply` needs `--allow-breaking`.")
    return lines.joined(separator: "\n")
}
