import ArgumentParser
import Strata
import StrataCore

/// `--project DIR`, shared by every command that works on a project.
struct ProjectOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The project folder (the one holding `featuresets/`).", valueName: "dir"))
    var project: String = "."

    func open() throws -> FeatureStore {
        try FeatureStore(projectPath: project)
    }
}

/// `--map-size`, for the commands that write the online store.
struct MapSizeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The online store's initial LMDB map size, e.g. 4GiB (default: `online.map_size` in strata.yaml, else 1GiB); it doubles when full, up to `online.map_size_max`.",
                                            valueName: "size"))
    var mapSize: String?

    func validate() throws {
        if let mapSize, ProjectSettings.parseSize(mapSize) == nil {
            throw ValidationError("--map-size `\(mapSize)` is not a size such as 4GiB, 512MiB or 65536 (bytes)")
        }
    }

    /// Opens the project with the map size from the flag, else from its settings.
    func open(_ project: ProjectOptions) throws -> FeatureStore {
        guard let mapSize, let bytes = ProjectSettings.parseSize(mapSize) else { return try project.open() }
        var settings = try ProjectFolder(path: project.project).settings()
        settings.mapSizeBytes = bytes
        return try FeatureStore(projectPath: project.project, onlineOptions: settings.onlineOptions)
    }
}

/// `--json`, shared by every command that prints a report.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false
}
