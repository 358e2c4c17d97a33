import ArgumentParser
import Strata

/// `--project DIR`, shared by every command that works on a project.
struct ProjectOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The project folder (the one holding `featuresets/`).", valueName: "dir"))
    var project: String = "."

    func open() throws -> FeatureStore {
        try FeatureStore(projectPath: project)
    }
}

/// `--json`, shared by every command that prints a report.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false
}
