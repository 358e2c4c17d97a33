import ArgumentParser
import Foundation
import Strata
import StrataCore
import StrataOffline

struct StorageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "List the stored tables (rows, bytes, the versions and training sets that use them) and the stores that grow with traffic.",
        discussion: """
        Stored data follows what decides it, not the registry version: several versions (a description edit, a TTL change) share one table. A table is needed while the applied revision reads it, a recorded training set needs it to reproduce, or lineage traces to its rows; `strata storage prune` removes the rest (a dry run unless `--apply`). The feature log and the quarantine keep what `retention:` in strata.yaml says (defaults: feature_log 30d, quarantine 90d); `strata serve` prunes them hourly, and `prune --apply` does too.
        """,
        subcommands: [List.self, Prune.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every stored table with its size and users.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors {
                let report = try projectOptions.open().storageReport()
                if output.json { try printJSON(report); return }
                var table = TextTable("KIND", "OBJECT", "TABLE", "ROWS", "BYTES", "ONLINE KEYS", "NEEDED", "USED BY")
                for t in report.tables {
                    let users = (t.isCurrent ? ["current"] : []) + t.versions + t.trainingSets.map { "training set \($0)" }
                    table.add(t.kind, t.object, t.table, t.rows.map { String($0) } ?? "-", bytes(t.bytes), t.onlineEntries.map { String($0) } ?? "-",
                              t.isNeeded ? "yes" : "no", users.isEmpty ? "-" : users.joined(separator: ", "))
                }
                print(table.render())
                print("")
                print(grows("feature log", report.featureLog))
                print(grows("quarantine", report.quarantine))
            }
        }

        func grows(_ name: String, _ usage: GrowingStoreUsage) -> String {
            let oldest = usage.oldestMicros.map { ", oldest \(Timestamp.format($0))" } ?? ""
            let days = Double(usage.retentionMicros) / 86_400_000_000
            let retention = days == days.rounded() ? "\(Int(days))d" : FeatureDuration.format(usage.retentionMicros)
            return "\(name): \(usage.rows) rows, \(bytes(usage.bytes))\(oldest); retention \(retention)"
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove stored tables nothing needs, and feature-log and quarantine rows past their retention (a dry run unless --apply).")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Remove for real; without it, only print what would be removed.") var apply = false

        func run() throws {
            try reportingErrors {
                let report = try projectOptions.open().pruneStorage(dryRun: !apply)
                if output.json { try printJSON(report); return }
                let verb = report.isDryRun ? "would remove" : "removed"
                for table in report.tables { print("\(verb) table \(table)") }
                for database in report.onlineDatabases { print("\(verb) online database \(database)") }
                print("\(verb) \(report.tables.count) tables and \(report.onlineDatabases.count) online databases (\(bytes(report.bytes))), "
                      + "\(report.featureLogRows) feature-log rows and \(report.quarantineRows) quarantined rows past their retention")
                if report.isDryRun { print("(dry run: pass --apply to remove them)") }
            }
        }
    }
}

/// Bytes for people: `12.3 MiB`.
func bytes(_ count: Int?) -> String {
    guard let count else { return "-" }
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(count), unit = 0
    while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
}
