import Strata
import StrataCore
import StrataOffline

/// One dataset of a run: facets every event carries, and statistics only a finished run can give.
struct LineageDataset: Sendable {
    var name: DatasetName
    var facets: [(String, JSONValue)] = []
    /// Sent when the run has ended (COMPLETE or FAIL): what it read, and a check's verdicts.
    var inputFacets: [(String, JSONValue)] = []
    /// Sent with COMPLETE only: a failed run wrote nothing, and a starting one has not yet.
    var outputFacets: [(String, JSONValue)] = []

    func json(asOutput: Bool, eventType: String) -> JSONValue {
        var members: [(String, JSONValue)] = [("namespace", .string(name.namespace)), ("name", .string(name.name))]
        if !facets.isEmpty { members.append(("facets", .object(facets))) }
        if asOutput {
            if eventType == "COMPLETE", !outputFacets.isEmpty { members.append(("outputFacets", .object(outputFacets))) }
        } else if eventType != "START", !inputFacets.isEmpty {
            members.append(("inputFacets", .object(inputFacets)))
        }
        return .object(members)
    }
}

/// The stored columns of tables Strata writes, named as SQLite and LMDB hold them.
enum StoredColumns {
    /// Source-table bookkeeping columns ahead of the source's own; the event and created times are stored here, parsed.
    static let sourceRowID = "strata_row_id", eventTime = "strata_event_ts", createdTime = "strata_created_ts"

    static func sourceTable(_ source: SourceDefinition) -> [Facet.Field] {
        [Facet.Field(name: sourceRowID, type: "int64", description: "ingest sequence: strictly increasing, in file order"),
         Facet.Field(name: "strata_run_id", type: "int64", description: "the ingest run"),
         Facet.Field(name: "strata_file_id", type: "int64", description: "the file version read"),
         Facet.Field(name: "strata_line", type: "int64", description: "the line of the record in the file"),
         Facet.Field(name: eventTime, type: "timestamp", description: "`\(source.timestamp.column)` in microseconds since the Unix epoch, UTC"),
         Facet.Field(name: createdTime, type: "timestamp",
                     description: source.created.map { "`\($0.column)` in microseconds since the Unix epoch, UTC" } ?? "the ingest run's start")]
            + source.columns.map { Facet.Field(name: $0.name, type: $0.type.rawValue) }
    }

    /// The source-table column that holds a column of the source as written.
    static func physical(_ column: String, of source: SourceDefinition) -> String {
        if column == source.timestamp.column { return eventTime }
        if column == source.created?.column { return createdTime }
        return column
    }

    /// Feature tables and online tables share one layout: keys, the row's times and lineage, then the features.
    static func featureRow(_ spec: FeatureTableSpec) -> [Facet.Field] {
        spec.view.keys.map { Facet.Field(name: $0.name, type: $0.type.rawValue, description: "join key") }
            + [Facet.Field(name: "event_ts", type: "timestamp", description: "event time"),
               Facet.Field(name: "created_ts", type: "timestamp", description: "created time"),
               Facet.Field(name: "ingest_seq", type: "int64", description: "ingest sequence, the final tie-breaker"),
               Facet.Field(name: "lineage_id", type: "int64", description: "the source row it came from")]
            + spec.view.features.map { feature in
                Facet.Field(name: feature.definition.name, type: feature.definition.type.rawValue,
                            description: feature.definition.description ?? "= \(feature.definition.expression)")
            }
    }

    /// Columns of a feature-table row that are not features.
    static let rowColumns = ["event_ts", "created_ts", "ingest_seq", "lineage_id"]
}
