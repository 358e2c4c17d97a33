import ArgumentParser
import Strata

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every definition file and report all problems at once.",
        discussion: "Exits 0 when the definitions are valid, 1 otherwise (each error names file:line:column and a fix)."
    )

    @OptionGroup var projectOptions: ProjectOptions

    func run() throws {
        try reportingErrors {
            let project = try ProjectFolder(path: projectOptions.project).compile()
            let d = project.definitions
            let featureCount = d.views.reduce(0) { $0 + $1.features.count }
            let aggregationCount = d.views.reduce(0) { $0 + $1.aggregations.count }
            let aggregations = aggregationCount == 0 ? "" : ", \(aggregationCount) aggregations"
            print("ok: \(d.entities.count) entities, \(d.sources.count) sources, \(d.views.count) feature views (\(featureCount) features\(aggregations)), \(d.services.count) services")
        }
    }
}
