/// Fingerprints of exactly what decides the bytes a store keeps, separate from registry versions (SPEC "Storage follows
/// semantics, not versions"). Pure functions of compiled definitions: a new registry version whose fingerprint is
/// unchanged reuses the stored data as it is.
///
/// Left out on purpose, because they are applied when data is read or judge only new data: descriptions, owners, tags,
/// expectations, monitoring, logging, TTL, service membership, and a source's `timezone: UTC` (rows without a zone were
/// refused before, so no stored row depends on it).
public enum StorageIdentity {
    /// Bumped when what a fingerprint covers changes, so old and new fingerprints never collide.
    static let formatVersion = 1

    /// A source's identity, recorded per registry version: its path, format, columns and types, time and id columns.
    public static func source(_ source: SourceDefinition) -> String {
        var parts = ["source", source.name, "path=\(source.path)", "format=\(source.format.rawValue)", rowShapeText(source)]
        parts += source.columns.map { "column=\($0.name):\($0.type)" }
        parts.append("id=\(source.idColumn ?? "")")
        return hash(parts)
    }

    /// What decides the stored time columns of a source's rows: the event-time and created-time columns and their units.
    /// Rows stored under one row shape can serve every source version with the same shape.
    public static func sourceRowShape(_ source: SourceDefinition) -> String {
        hash(["shape", rowShapeText(source)])
    }

    /// One row feature: its view's source and keys, its name, type and expression (by canonical text, with the types of
    /// the columns it reads).
    public static func feature(_ view: CompiledView, _ feature: CompiledFeature) -> String {
        hash(viewBase(view) + ["feature=\(feature.definition.name):\(feature.definition.type):\(feature.typed.canonicalText)"])
    }

    /// A view's feature table: every row feature's identity, in order (the stored column order).
    public static func featureTable(_ view: CompiledView) -> String {
        hash(["features"] + view.features.map { self.feature(view, $0) })
    }

    /// One aggregation: the source, keys and event id, its function, input, condition, window and hop.
    public static func aggregation(_ view: CompiledView, _ aggregation: CompiledAggregation) -> String {
        let definition = aggregation.definition
        return hash(viewBase(view) + [eventIDText(view), "aggregation=\(definition.name):\(definition.function.rawValue)",
                                      "input=\(aggregation.input?.canonicalText ?? "")", "where=\(aggregation.filter?.canonicalText ?? "")",
                                      "window=\(definition.windowMicros)", "hop=\(definition.hopMicros)"])
    }

    /// A view's aggregation event table: the evaluated inputs and conditions per source row. Windows, hops and
    /// functions are not in it: the same events serve any window.
    public static func aggregationEvents(_ view: CompiledView) -> String {
        let inputs = AggregationInputs(view.aggregations)
        return hash(viewBase(view) + [eventIDText(view)] + inputs.inputs.map { "input=\($0.canonicalText)" }
                    + inputs.filters.map { "where=\($0.canonicalText)" })
    }

    /// A view's online aggregation tile records: its event table plus every aggregation, in order.
    public static func aggregationTiles(_ view: CompiledView) -> String {
        hash(["tiles", aggregationEvents(view)] + view.aggregations.map { self.aggregation(view, $0) })
    }

    /// A view's whole stored identity (feature table and aggregation tiles), recorded per registry version.
    public static func view(_ view: CompiledView) -> String {
        hash(["view", featureTable(view)] + (view.aggregations.isEmpty ? [] : [aggregationTiles(view)]))
    }

    private static func viewBase(_ view: CompiledView) -> [String] {
        ["source=\(view.source.name)", rowShapeText(view.source)] + view.keys.map { "key=\($0.name):\($0.type)" }
    }

    private static func eventIDText(_ view: CompiledView) -> String {
        guard let id = view.source.idColumn else { return "id=" }
        return "id=\(id):\(view.source.columns.first { $0.name == id }?.type.rawValue ?? "")"
    }

    private static func rowShapeText(_ source: SourceDefinition) -> String {
        func text(_ column: TimestampColumn?) -> String {
            guard let column else { return "" }
            return "\(column.column):\(column.epochUnit?.rawValue ?? "rfc3339")"
        }
        return "time=\(text(source.timestamp))|created=\(text(source.created))"
    }

    /// SHA-256 of the parts (each length-prefixed, so no part can run into the next), as 20 hex digits.
    private static func hash(_ parts: [String]) -> String {
        var hasher = SHA256()
        hasher.update(Array("strata-storage-\(formatVersion)".utf8))
        for part in parts {
            hasher.update(Array("\(part.utf8.count):".utf8))
            hasher.update(Array(part.utf8))
        }
        return String(hasher.finalizeHex().prefix(20))
    }
}
