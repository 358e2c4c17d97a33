import Strata
import StrataCore
import StrataOffline

extension DatasetBuilder {
    /// The columns of a training set, sorted by where they come from.
    struct TrainingSetColumns {
        /// Output column → (feature table, feature, type).
        var features: [(column: String, table: DatasetName, feature: String, type: ValueType)] = []
        /// Output column → (feature table, what it reports), for `--include-status`.
        var statuses: [(column: String, table: DatasetName, isStatus: Bool)] = []
        var spine: [String] = []
    }

    func columns(of manifest: TrainingSetManifest, specs: [FeatureTableSpec]) -> TrainingSetColumns {
        var result = TrainingSetColumns()
        for (info, spec) in zip(manifest.views, specs) {
            let table = naming.offlineTable(spec.tableName)
            for name in info.features {
                let type = spec.view.features.first { $0.definition.name == name }?.definition.type ?? .string
                result.features.append((manifest.usesBareNames ? name : "\(info.name)__\(name)", table, name, type))
            }
            if manifest.includesStatus { result.statuses += [("\(info.name)__status", table, true), ("\(info.name)__event_ts", table, false)] }
        }
        let taken = Set(result.features.map(\.column) + result.statuses.map(\.column))
        result.spine = manifest.columns.filter { !taken.contains($0) }
        return result
    }

    /// The spine file a training set was built for.
    func spine(_ manifest: TrainingSetManifest, columns: TrainingSetColumns) -> LineageDataset {
        var dataset = LineageDataset(name: naming.file(manifest.spine.path))
        dataset.facets = [("schema", Facet.schema(columns.spine.map { Facet.Field(name: $0, type: $0 == manifest.spine.timestampColumn ? "timestamp" : nil) })),
                          ("dataSource", naming.dataSource(naming.fileNamespace))]
        dataset.inputFacets = [("inputStatistics", Facet.inputStatistics(rowCount: manifest.spine.rows))]
        return dataset
    }

    /// The training set: spine columns passed through, each feature column the value of its feature-table column picked
    /// by the point-in-time join (an identity), the join itself recorded as dataset-wide indirect lineage.
    func trainingSet(_ manifest: TrainingSetManifest, specs: [FeatureTableSpec], columns: TrainingSetColumns) -> LineageDataset {
        let output = manifest.output.format == .sqlite
            ? DatasetName(namespace: naming.sqliteNamespace(manifest.output.path), name: manifest.output.table)
            : naming.file(manifest.output.path)
        let spineName = naming.file(manifest.spine.path)
        let identity = [ColumnTransformation(.direct, .identity)]
        var schema = columns.spine.map { Facet.Field(name: $0, type: $0 == manifest.spine.timestampColumn ? "timestamp" : nil, description: "from the spine") }
        var fields: [(String, [Facet.InputField])] = columns.spine.map { ($0, [Facet.InputField(dataset: spineName, field: $0, transformations: identity)]) }
        for feature in columns.features {
            schema.append(Facet.Field(name: feature.column, type: feature.type.rawValue, description: "the value at the spine row's time"))
            fields.append((feature.column, [Facet.InputField(dataset: feature.table, field: feature.feature, transformations: identity)]))
        }
        for status in columns.statuses {
            schema.append(Facet.Field(name: status.column, type: "string", description: status.isStatus ? "present, not_found or expired" : "event time of the value"))
            let transformations = status.isStatus
                ? [ColumnTransformation(.direct, .transformation, description: "present, not_found or expired by the point-in-time rule")] : identity
            fields.append((status.column, [Facet.InputField(dataset: status.table, field: "event_ts", transformations: transformations)]))
        }
        var dataset = LineageDataset(name: output)
        dataset.facets = [("schema", Facet.schema(schema)), ("dataSource", naming.dataSource(output.namespace)),
                          ("columnLineage", Facet.columnLineage(fields, dataset: joinLineage(manifest, specs: specs, spine: spineName)))]
        dataset.outputFacets = [("outputStatistics", Facet.outputStatistics(rowCount: manifest.rowCount))]
        return dataset
    }

    /// What shapes every row of a training set: the join on keys and time, the TTL and corrections filters, the tie order.
    private func joinLineage(_ manifest: TrainingSetManifest, specs: [FeatureTableSpec], spine: DatasetName) -> [Facet.InputField] {
        let join = ColumnTransformation(.indirect, .join, description: "point-in-time join on the entity keys and the spine time")
        var keys: [String] = []
        var result = [Facet.InputField(dataset: spine, field: manifest.spine.timestampColumn, transformations: [join])]
        for spec in specs {
            let table = naming.offlineTable(spec.tableName)
            for key in spec.view.keys {
                if !keys.contains(key.name) {
                    keys.append(key.name)
                    result.append(Facet.InputField(dataset: spine, field: key.name, transformations: [join]))
                }
                result.append(Facet.InputField(dataset: table, field: key.name, transformations: [join]))
            }
            let ttl = spec.view.definition.ttlMicros.map { " and >= the spine time - \(FeatureDuration.format($0))" } ?? ""
            result += [
                Facet.InputField(dataset: table, field: "event_ts", transformations: [
                    ColumnTransformation(.indirect, .filter, description: "event_ts <= the spine time\(ttl)"), ColumnTransformation(.indirect, .sort)]),
                Facet.InputField(dataset: table, field: "created_ts", transformations: [
                    ColumnTransformation(.indirect, .filter, description: "corrections mode \(manifest.corrections)"), ColumnTransformation(.indirect, .sort)]),
                Facet.InputField(dataset: table, field: "ingest_seq", transformations: [
                    ColumnTransformation(.indirect, .filter, description: "ingest watermark"), ColumnTransformation(.indirect, .sort)]),
            ]
        }
        return result
    }
}
