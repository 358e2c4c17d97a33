import StrataCore
import StrataOffline
import StrataRegistry

extension FeatureStore {
    /// The storage effect of each source and view a plan touches (including views whose source changes).
    func storagePlan(_ plan: RegistryPlan, prospect: Prospect, previous: AppliedSnapshot?) throws -> StoragePlan {
        var result = StoragePlan()
        let resolver = StorageResolver(history: prospect.history, catalog: try offline.storageCatalog())
        let changed = Set(plan.changes.map { "\($0.kind.rawValue)/\($0.name)" })
        var sources: [String: SourceResolution] = [:]
        for change in plan.changes where change.kind == .source && change.action == .removed {
            let rows = try offline.storedRowCount(previous?.sources[change.name]?.storage?.tableName ?? "")
            result.steps.append(.init(kind: .source, name: change.name, effect: .removed,
                                      summary: "removed; its \(rows.formatted) stored rows stay for earlier versions until `strata storage prune`"))
        }
        for source in prospect.applied.compiled.definitions.sources {
            let resolution = resolver.resolveSource(source, version: prospect.applied.version(.source, source.name))
            sources[source.name] = resolution
            guard changed.contains("\(DefinitionKind.source.rawValue)/\(source.name)") else { continue }
            result.steps.append(try sourceStep(resolution, previous: previous?.sources[source.name]?.definition, into: &result))
        }
        for change in plan.changes where change.kind == .view && change.action == .removed {
            result.steps.append(.init(kind: .view, name: change.name, effect: .removed,
                                      summary: "removed; its stored tables stay for earlier versions until `strata storage prune`"))
        }
        for name in prospect.applied.compiled.views.keys.sorted() {
            guard let view = prospect.applied.compiled.views[name], let source = sources[view.source.name] else { continue }
            let touched = changed.contains("\(DefinitionKind.view.rawValue)/\(name)") || changed.contains("\(DefinitionKind.source.rawValue)/\(view.source.name)")
                || view.definition.entities.contains { changed.contains("\(DefinitionKind.entity.rawValue)/\($0)") }
            guard touched else { continue }
            result.steps.append(try viewStep(view, version: prospect.applied.version(.view, name), source: source, resolver: resolver,
                                             previous: previous?.tables[name]))
        }
        return result
    }

    private func sourceStep(_ resolution: SourceResolution, previous: SourceDefinition?, into plan: inout StoragePlan) throws -> StoragePlan.Step {
        let name = resolution.definition.name
        let rows = try offline.storedRowCount(resolution.storage?.tableName ?? "")
        func step(_ effect: StoragePlan.Step.Effect, _ summary: String) -> StoragePlan.Step {
            .init(kind: .source, name: name, effect: effect, summary: summary, storedRows: rows)
        }
        switch resolution.change {
        case .none:
            var summary = "metadata only: the \(rows.formatted) stored rows are kept as they are"
            if let previous, previous.path != resolution.definition.path || previous.format != resolution.definition.format {
                summary += "; the next ingest reads \(resolution.definition.path) (\(resolution.definition.format.rawValue))"
            }
            return step(.metadataOnly, summary)
        case .addColumns(let columns):
            return step(.addColumns, "add column\(columns.count == 1 ? "" : "s") \(columns.map { "`\($0.name)` (\($0.type))" }.joined(separator: ", ")): "
                        + "the \(rows.formatted) stored rows read \(columns.count == 1 ? "it" : "them") as null")
        case .convert(let conversions):
            guard let storage = resolution.storage else { return step(.empty, "nothing stored yet") }
            for problem in try offline.conversionProblems(in: storage, conversions: conversions) {
                let more = problem.count > 1 ? ", and \((problem.count - 1).formatted) more row\(problem.count == 2 ? "" : "s") hold values that are not \(problem.to)" : ""
                plan.refusals.append("source `\(name)`: column `\(problem.column)` cannot change from \(problem.from) to \(problem.to): stored row \(problem.rowID) "
                                     + "(\(problem.file), line \(problem.line)) holds `\(problem.value)`\(more)")
                plan.drops.append("`\(problem.column)` becomes null in \(problem.count.formatted) stored row\(problem.count == 1 ? "" : "s") of `\(name)` "
                                  + "(each value is kept in the quarantine with its file and line)")
            }
            return step(.convert, "convert \(conversions.map { "`\($0.column)` from \($0.stored) to \($0.to)" }.joined(separator: ", ")) "
                        + "in a copy of the \(rows.formatted) stored rows")
        case .newFamily(let reason):
            plan.refusals.append("source `\(name)`: \(reason), so the \(rows.formatted) stored rows cannot serve the new version")
            plan.drops.append("source `\(name)` starts empty: its \(rows.formatted) stored rows (pushed rows included) stay with the earlier versions, "
                              + "and `strata ingest` reads \(resolution.definition.path) again")
            return step(.restart, "starts a new, empty storage (\(reason)); run `strata ingest` afterwards")
        case .create:
            return step(.empty, "new source: nothing stored yet; `strata ingest` or a push stores its rows")
        }
    }

    private func viewStep(_ view: CompiledView, version: Int, source: SourceResolution, resolver: StorageResolver,
                          previous: FeatureTableSpec?) throws -> StoragePlan.Step {
        let name = view.definition.name
        var step = StoragePlan.Step(kind: .view, name: name, effect: .metadataOnly, summary: "metadata only: training sets and lookups answer as before")
        switch source.change {
        case .newFamily:
            step.effect = .restart
            step.summary = "its source starts empty: features are computed as `strata ingest` stores rows"
            return step
        case .create:
            step.effect = .empty
            step.summary = "nothing stored yet: features are computed as rows arrive"
            return step
        case .none, .addColumns, .convert: break
        }
        let next = resolver.table(view, version: version, source: source)
        let rows = try offline.storedRowCount(source.storage?.tableName ?? "")
        let oldFeatures = Set(previous.map { old in old.view.features.map { StorageIdentity.feature(old.view, $0) } } ?? [])
        let oldAggregations = Set(previous.map { old in old.view.aggregations.map { StorageIdentity.aggregation(old.view, $0) } } ?? [])
        let newFeatures = view.features.filter { !oldFeatures.contains(StorageIdentity.feature(view, $0)) }.map(\.definition.name)
        let newAggregations = view.aggregations.filter { !oldAggregations.contains(StorageIdentity.aggregation(view, $0)) }.map(\.definition.name)
        let rowsChange = previous?.tableName != next.tableName
        let tilesChange = !view.aggregations.isEmpty && previous?.aggregationTilesName != next.aggregationTilesName
        guard rowsChange || tilesChange else { return step }
        step.effect = .recompute
        step.storedRows = rows
        step.recomputed = (rowsChange ? newFeatures : []) + (tilesChange ? newAggregations : [])
        var parts: [String] = []
        if rowsChange {
            let kept = view.features.count - newFeatures.count
            parts.append("recompute \(newFeatures.count) feature\(newFeatures.count == 1 ? "" : "s")\(newFeatures.isEmpty ? "" : " (\(newFeatures.joined(separator: ", ")))") "
                         + "from \(rows.formatted) stored rows\(kept > 0 ? "; \(kept) unchanged feature\(kept == 1 ? " keeps its" : "s keep their") values" : "")")
        }
        if tilesChange {
            parts.append("rebuild the tiles of \(newAggregations.isEmpty ? "the aggregations" : newAggregations.joined(separator: ", ")) from the stored events")
        }
        let live = try previous.map { try isLive($0.tableName) } ?? false
        if live, previous?.view.keys != view.keys {
            step.materializeNeeded = step.recomputed
            parts.append("materialize needed for \(step.recomputed.joined(separator: ", ")) (the keys changed)")
        } else if live {
            parts.append("online values are derived at apply from the rows served now")
        }
        step.summary = parts.joined(separator: "; ")
        return step
    }
}

extension Int {
    /// Thousands separated by commas, as the CLI prints counts.
    var formatted: String {
        let digits = String(self.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (self < 0 ? "-" : "") + out
    }
}
