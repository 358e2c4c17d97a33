import StrataCore

extension WebUI {
    /// One feature: its type, expression or aggregation, owner, tags, freshness, the services using it and its parity.
    func featurePage(view viewName: String, feature name: String) throws -> Page {
        let index = try registryIndex()
        guard let entry = index.entry(.view, viewName), case .view(let view) = entry.definition else {
            throw UIProblem.notFound("No feature view is called `\(viewName)`.", fix: "search the registry for it")
        }
        var context: [String: Any] = ["view": viewName, "name": name, "viewHref": UIPaths.object(.view, viewName), "viewVersion": entry.object.version,
                                      "owner": view.owner ?? "—", "tags": view.tags]
        if let feature = view.features.first(where: { $0.name == name }) {
            context["type"] = feature.type.rawValue
            context["kindLabel"] = "Expression"
            context["expression"] = feature.expression
            context["description"] = feature.description ?? view.description ?? ""
        } else if let aggregation = view.aggregations.first(where: { $0.name == name }) {
            context["type"] = "aggregation (\(aggregation.function.rawValue))"
            context["kindLabel"] = "Aggregation"
            context["expression"] = Self.aggregationText(aggregation)
            context["description"] = aggregation.description ?? view.description ?? ""
        } else {
            let names = view.features.map(\.name) + view.aggregations.map(\.name)
            throw UIProblem.notFound("`\(viewName)` has no feature `\(name)`.",
                                     fix: nearMiss(name, in: names).map { "did you mean `\($0)`?" } ?? "its features are \(names.joined(separator: ", "))")
        }
        if let histogram = try onlineHistogram(view: viewName, feature: name) { context["histogram"] = histogram }
        if let profile = try latestProfileChart(view: viewName, feature: name, source: view.source) { context["profile"] = profile }
        if let drift = try latestDriftStatus(view: viewName, feature: name) { context["drift"] = drift }
        let fresh = try freshnessRow(view: viewName)
        context["freshness"] = "materialized up to \(fresh["watermark"] ?? "—"); newest event time online \(fresh["newest"] ?? "—")"
        let services = index.definitions.services.filter { $0.features.contains { $0.view == viewName && ($0.feature == nil || $0.feature == name) } }
        context["services"] = services.map { ["name": $0.name, "href": UIPaths.object(.service, $0.name)] }
        let reference = "\(viewName):\(name)", column = "\(viewName)__\(name)"
        if let report = try runIndex().reports.first(where: { $0.features.contains { $0.feature == reference || $0.feature == column } }),
           let parity = report.features.first(where: { $0.feature == reference || $0.feature == column }) {
            context["parity"] = ["id": report.id, "href": UIPaths.report(report.id), "rate": HTML.percent(parity.mismatchRate), "compared": parity.compared]
        }
        return Page(title: reference, section: .registry, id: "feature", body: renderer.render("feature", context))
    }
}
