import ArgumentParser
import Foundation
import Strata

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an example project: driver statistics, definitions and a training spine.",
        discussion: """
        Writes featuresets/drivers.yaml (an entity, a source, a view with a TTL and derived features, two services), featuresets/data/driver_stats.csv (with late corrections, nulls, +05:30 offsets and a few bad rows) and featuresets/data/driver_spine.csv. The data is generated from a fixed seed, so it is the same on every machine.
        """
    )

    @Argument(help: ArgumentHelp("The folder to create the project in.", valueName: "dir"))
    var directory: String

    @Flag(name: .long, help: "Overwrite the example files if the folder already has a project.")
    var force = false

    func run() throws {
        try reportingErrors {
            let folder = ProjectFolder(path: directory)
            let manager = FileManager.default
            if !force, manager.fileExists(atPath: folder.definitionsFolder.path) { throw ProjectError.folderNotEmpty(path: folder.root.path) }
            for file in ExampleProject.files() {
                let url = folder.url(forRelative: file.path)
                do {
                    try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(file.text.utf8).write(to: url)
                } catch {
                    throw ProjectError.unwritable(path: url.path, reason: error.localizedDescription)
                }
                print("created \(directory)/\(file.path)")
            }
            print("\nNext: cd \(directory) && strata plan && strata apply")
        }
    }
}
