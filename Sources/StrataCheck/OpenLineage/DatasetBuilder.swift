import Strata
import StrataCore
import StrataOffline

/// Builds the datasets of Strata's jobs with their `schema`, `dataSource`, `documentation` and `columnLineage` facets.
/// Column lineage always points at the job's own inputs (a training set at the feature table, the feature table at
/// the source table, the source table at the file), so a lineage tool follows a column back to the file hop by hop,
/// and each expression appears at the hop that computes it.
struct DatasetBuilder: Sendable {
    let naming: OpenLineageNaming

    private func dataset(_ name: DatasetName, schema: [Facet.Field], description: String? = nil) -> LineageDataset {
        var facets: [(String, JSONValue)] = [("schema", Facet.schema(schema)), ("dataSource", naming.dataSource(name.namespace))]
        if let description { facets.append(("documentation", Facet.documentation(description))) }
        return LineageDataset(name: name, facets: facets)
    }

    private static func identity(_ dataset: DatasetName, _ field: String) -> Facet.InputField {
        Facet.InputField(dataset: dataset, field: field, transformations: [ColumnTransformation(.direct, .identity)])
    }

    /// A source file as declared: its columns and types, the time columns as written.
    func sourceFile(_ source: SourceDefinition, path: String) -> LineageDataset {
        dataset(naming.file(naming.absolute(path)), schema: Self.declaredColumns(source), description: source.description)
    }

    /// Rows pushed to a source (`strata push`, `POST /push`): one logical dataset per source.
    /// A file known only by its path (a failed run's spine or output), with its `dataSource` facet.
    func plainFile(_ absolutePath: String) -> LineageDataset {
        var result = LineageDataset(name: naming.file(absolutePath))
        result.facets = [("dataSource", naming.dataSource(naming.fileNamespace))]
        return result
    }

    func pushedRows(_ source: SourceDefinition) -> LineageDataset {
        dataset(naming.pushed(source: source.name), schema: Self.declaredColumns(source), description: "rows pushed to `\(source.name)`")
    }

    static func declaredColumns(_ source: SourceDefinition) -> [Facet.Field] {
        source.expressionColumns.map { Facet.Field(name: $0.name, type: $0.type.rawValue) }
    }

    /// The offline source table (`table`) of a source version, each column traced to the column read from `input`.
    func sourceTable(_ source: SourceDefinition, table: String, from input: DatasetName) -> LineageDataset {
        var result = dataset(naming.offlineTable(table), schema: StoredSchema.sourceTable(source).map(Facet.Field.init),
                             description: source.description)
        let parsed = { (column: String) in
            Facet.InputField(dataset: input, field: column, transformations: [
                ColumnTransformation(.direct, .transformation, description: "parsed to microseconds since the Unix epoch, UTC")])
        }
        var fields: [(String, [Facet.InputField])] = [(StoredSchema.eventTime, [parsed(source.timestamp.column)])]
        if let created = source.created { fields.append((StoredSchema.createdTime, [parsed(created.column)])) }
        fields += source.columns.map { ($0.name, [Self.identity(input, $0.name)]) }
        result.facets.append(("columnLineage", Facet.columnLineage(fields)))
        return result
    }

    /// The offline feature table of a view version: keys and times copied from the source table, each feature computed
    /// from the source columns its expression reads (`ColumnDerivation`).
    func featureTable(_ spec: FeatureTableSpec) -> LineageDataset {
        var result = dataset(naming.offlineTable(spec.tableName), schema: StoredSchema.featureRow(spec).map(Facet.Field.init), description: spec.view.definition.description)
        result.facets.append(("columnLineage", Facet.columnLineage(computedFromSourceTable(spec))))
        return result
    }

    /// Per column of a feature row, the source-table columns it is computed from. Push writes online rows the same way.
    func computedFromSourceTable(_ spec: FeatureTableSpec) -> [(String, [Facet.InputField])] {
        let source = spec.view.source
        let table = naming.offlineTable(spec.sourceTableName)
        var fields: [(String, [Facet.InputField])] = spec.view.keys.map { ($0.name, [Self.identity(table, $0.name)]) }
        fields += [("event_ts", [Self.identity(table, StoredSchema.eventTime)]), ("created_ts", [Self.identity(table, StoredSchema.createdTime)]),
                   ("ingest_seq", [Self.identity(table, StoredSchema.sourceRowID)]), ("lineage_id", [Self.identity(table, StoredSchema.sourceRowID)])]
        fields += spec.view.columnDerivations.map { derivation in
            (derivation.output, derivation.inputs.map { input in
                Facet.InputField(dataset: table, field: StoredSchema.physical(input.column, of: source), transformations: input.transformations)
            })
        }
        return fields
    }

    enum OnlineOrigin { case materialized, pushed }

    /// The LMDB database of a view version. Materialized rows are copied from the feature table (the best row per key
    /// known at the run's end); pushed rows are computed from the source table by the same expressions.
    func onlineTable(_ spec: FeatureTableSpec, origin: OnlineOrigin) -> LineageDataset {
        var result = dataset(naming.onlineTable(spec.tableName), schema: StoredSchema.featureRow(spec).map(Facet.Field.init), description: spec.view.definition.description)
        switch origin {
        case .pushed:
            result.facets.append(("columnLineage", Facet.columnLineage(computedFromSourceTable(spec))))
        case .materialized:
            let table = naming.offlineTable(spec.tableName)
            let columns = spec.view.keys.map(\.name) + StoredSchema.rowColumns + spec.view.features.map(\.definition.name)
            let pick = "the best row per key known at the run's end"
            let dataset = spec.view.keys.map { Facet.InputField(dataset: table, field: $0.name, transformations: [ColumnTransformation(.indirect, .groupBy)]) }
                + ["event_ts", "created_ts"].map { Facet.InputField(dataset: table, field: $0, transformations: [
                    ColumnTransformation(.indirect, .filter, description: "\($0) <= end"), ColumnTransformation(.indirect, .sort, description: pick)]) }
                + [Facet.InputField(dataset: table, field: "ingest_seq", transformations: [ColumnTransformation(.indirect, .sort, description: pick)])]
            result.facets.append(("columnLineage", Facet.columnLineage(columns.map { ($0, [Self.identity(table, $0)]) }, dataset: dataset)))
        }
        return result
    }
}
