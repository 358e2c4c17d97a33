import ArgumentParser
import StrataCore

@main
struct StrataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "An embedded feature store: definitions, point-in-time training sets and online lookups from one binary.",
        discussion: """
        Run commands inside a project folder (one with `featuresets/`), or pass `--project DIR`. Start with `strata init demo && cd demo && strata plan && strata apply`.
        """,
        version: strataVersion,
        subcommands: [InitCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self, RegistryCommand.self, IngestCommand.self, QuarantineCommand.self, HistoricalCommand.self, MaterializeCommand.self, GetCommand.self, PushCommand.self, ServeCommand.self, CheckCommand.self, LineageCommand.self, QualityCommand.self, ProfileCommand.self, DriftCommand.self, StorageCommand.self]
    )
}
