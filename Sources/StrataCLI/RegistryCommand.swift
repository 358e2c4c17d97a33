public import ArgumentParser
import Strata
import StrataCore
import StrataRegistry

struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Browse the registry: objects, versions, history, diffs and search.",
        subcommands: [List.self, Describe.self, History.self, Diff.self, Search.self, Revisions.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the latest version of every object.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only objects of this kind: entity, source, feature_view, feature_service.")
        var kind: DefinitionKind?

        func run() throws {
            try reportingErrors {
                let objects = try projectOptions.open().registryObjects().filter { kind == nil || $0.kind == kind }
                try printObjects(objects, json: output.json)
            }
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one object's definition (latest version unless --version).")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The object's name.") var name: String
        @Option(help: "Which version to show.") var version: Int?
        @Option(help: "The kind, when several objects share the name.") var kind: DefinitionKind?

        func run() throws {
            try reportingErrors {
                let object = try projectOptions.open().registryObject(name: name, kind: kind, version: version)
                if output.json { try printPublicJSON(object); return }
                let summary = try object.summary()
                print("\(object.kind.displayName) `\(object.name)` version \(object.version)\(object.isRemoved ? " (removed)" : "")")
                print("applied:     \(formatTime(object.appliedAtMicros)) by \(object.author) (revision \(object.revision))")
                if let message = object.message { print("message:     \(message)") }
                if let owner = summary.owner { print("owner:       \(owner)") }
                if let description = summary.description { print("description: \(description)") }
                if !summary.tags.isEmpty { print("tags:        \(summary.tags.joined(separator: ", "))") }
                print("")
                for (path, value) in CanonicalJSON.flatten(object.spec).sorted(by: { $0.key < $1.key }) { print("  \(path): \(value)") }
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every version of an object, oldest first.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The object's name.") var name: String
        @Option(help: "The kind, when several objects share the name.") var kind: DefinitionKind?

        func run() throws {
            try reportingErrors {
                let versions = try projectOptions.open().registryHistory(name: name, kind: kind)
                if output.json { try printPublicJSON(versions); return }
                var table = TextTable("VERSION", "REVISION", "APPLIED", "AUTHOR", "BREAKING", "MESSAGE")
                for v in versions {
                    table.add("\(v.version)\(v.isRemoved ? " (removed)" : "")", "\(v.revision)", formatTime(v.appliedAtMicros), v.author,
                              v.isBreaking ? "yes" : "no", v.message ?? "")
                }
                print(table.render())
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the fields that differ between two versions of an object.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The object's name.") var name: String
        @Argument(help: "The older version.") var from: Int
        @Argument(help: "The newer version.") var to: Int
        @Option(help: "The kind, when several objects share the name.") var kind: DefinitionKind?

        func run() throws {
            try reportingErrors {
                let changes = try projectOptions.open().registryDiff(name: name, kind: kind, from: from, to: to)
                if output.json { try printPublicJSON(changes); return }
                guard !changes.isEmpty else { print("versions \(from) and \(to) of `\(name)` are identical"); return }
                var table = TextTable("FIELD", "v\(from)", "v\(to)")
                for change in changes { table.add(change.path, change.old ?? "—", change.new ?? "—") }
                print(table.render())
            }
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find objects whose name, description, tags or owner contain TEXT.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Text to look for (case-insensitive).") var text: String

        func run() throws {
            try reportingErrors { try printObjects(try projectOptions.open().registrySearch(text), json: output.json) }
        }
    }

    struct Revisions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applied revisions, newest first: who, when, why.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors {
                let revisions = try projectOptions.open().registryRevisions()
                if output.json { try printPublicJSON(revisions); return }
                var table = TextTable("REVISION", "APPLIED", "AUTHOR", "CHANGES", "MESSAGE")
                for r in revisions { table.add("\(r.revision)", formatTime(r.appliedAtMicros), r.author, "\(r.changeCount)", r.message ?? "") }
                print(table.render())
            }
        }
    }
}

func printObjects(_ objects: [RegistryObject], json: Bool) throws {
    if json { try printPublicJSON(objects); return }
    var table = TextTable("KIND", "NAME", "VERSION", "OWNER", "TAGS", "DESCRIPTION")
    for object in objects {
        let summary = try object.summary()
        table.add(object.kind.rawValue, object.name, "\(object.version)", summary.owner ?? "", summary.tags.joined(separator: ","), summary.description ?? "")
    }
    print(objects.isEmpty ? "(no objects)" : table.render())
}

extension DefinitionKind: ExpressibleByArgument {}
