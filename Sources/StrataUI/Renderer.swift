import Mustache

/// The compiled templates. Parsing happens once, when the UI is created; a template that does not parse is a
/// programmer error caught by the tests, so it stops the process at start rather than on some later request.
struct Renderer: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        let templates: [(String, String)] = [
            ("layout", LayoutTemplates.layout), ("login", LayoutTemplates.login), ("error", LayoutTemplates.error),
            ("overview", PageTemplates.overview), ("registry", PageTemplates.registry), ("object", PageTemplates.object),
            ("diff", PageTemplates.diff), ("feature", PageTemplates.feature),
            ("trainingSets", RunTemplates.trainingSets), ("trainingSet", RunTemplates.trainingSet), ("quality", RunTemplates.quality),
            ("parityList", RunTemplates.parityList), ("parityReport", RunTemplates.parityReport), ("lookup", RunTemplates.lookup),
            ("exampleLineage", RunTemplates.exampleLineage), ("validation", QualityTemplates.validation),
            ("driftList", QualityTemplates.driftList), ("driftReport", QualityTemplates.driftReport),
        ]
        for (name, text) in templates {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("the built-in template `\(name)` does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// Renders a named template; the names are the fixed list above.
    func render(_ name: String, _ context: [String: Any]) -> String {
        guard let text = library.render(context, withTemplate: name) else { preconditionFailure("no built-in template `\(name)`") }
        return text
    }
}

/// The sections of the navigation bar.
enum Section: String, CaseIterable {
    case overview, registry, trainingSets = "training-sets", quality, parity, lookup

    var label: String {
        switch self {
        case .overview: return "Overview"
        case .registry: return "Registry"
        case .trainingSets: return "Training sets"
        case .quality: return "Data quality"
        case .parity: return "Parity"
        case .lookup: return "Lookup"
        }
    }

    var href: String { self == .overview ? "/ui" : "/ui/" + rawValue }
}

/// A rendered page body and what the frame needs around it.
struct Page {
    var title: String
    var section: Section
    /// The `id` of `<main>`, `page-<id>`, which the browser tests look for.
    var id: String
    var body: String
}
