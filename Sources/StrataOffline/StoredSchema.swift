package import StrataCore

/// One column of a table the offline store (or the feature log) keeps, as SQLite holds it.
package struct StoredColumn: Sendable, Hashable {
    package var name: String
    package var type: String?
    package var description: String?

    package init(_ name: String, _ type: String? = nil, _ description: String? = nil) {
        self.name = name
        self.type = type
        self.description = description
    }
}

/// The physical layout of the stored tables, described where the tables are made, for whoever names them to others
/// (lineage export): table names, bookkeeping columns, and the row layout feature tables share with online tables.
/// `StoredSchemaTests` holds these against `PRAGMA table_info` of real tables.
package enum StoredSchema {
    /// Quarantined rows, with the reason per row.
    package static let quarantineTable = "quarantine"
    /// The feature log's table (in `feature_log.db`).
    package static let featureLogTable = "feature_log"

    /// Source-table bookkeeping columns ahead of the source's own; the event and created times are stored here, parsed.
    package static let sourceRowID = "strata_row_id", eventTime = "strata_event_ts", createdTime = "strata_created_ts"

    /// Columns of a feature-table row that are not keys or features.
    package static let rowColumns = ["event_ts", "created_ts", "ingest_seq", "lineage_id"]

    package static let quarantineColumns = ["id", "run_id", "source", "file", "line", "column_number", "raw", "reason"].map { StoredColumn($0) }

    package static let featureLogColumns = ["id", "request_id", "request_ts", "service", "keys", "features", "feature_values", "statuses",
                                            "event_timestamps", "lineage_ids", "view_versions"].map { StoredColumn($0) }

    /// The columns of a source's table, bookkeeping first.
    package static func sourceTable(_ source: SourceDefinition) -> [StoredColumn] {
        [StoredColumn(sourceRowID, "int64", "ingest sequence: strictly increasing, in file order"),
         StoredColumn("strata_run_id", "int64", "the ingest run"),
         StoredColumn("strata_file_id", "int64", "the file version read"),
         StoredColumn("strata_line", "int64", "the line of the record in the file"),
         StoredColumn(eventTime, "timestamp", "`\(source.timestamp.column)` in microseconds since the Unix epoch, UTC"),
         StoredColumn(createdTime, "timestamp", source.created.map { "`\($0.column)` in microseconds since the Unix epoch, UTC" } ?? "the ingest run's start")]
            + source.columns.map { StoredColumn($0.name, $0.type.rawValue) }
    }

    /// The source-table column that holds a column of the source as written.
    package static func physical(_ column: String, of source: SourceDefinition) -> String {
        if column == source.timestamp.column { return eventTime }
        if column == source.created?.column { return createdTime }
        return column
    }

    /// Feature tables and online tables share one layout: keys, the row's times and lineage, then the features.
    package static func featureRow(_ spec: FeatureTableSpec) -> [StoredColumn] {
        spec.view.keys.map { StoredColumn($0.name, $0.type.rawValue, "join key") }
            + [StoredColumn("event_ts", "timestamp", "event time"), StoredColumn("created_ts", "timestamp", "created time"),
               StoredColumn("ingest_seq", "int64", "ingest sequence, the final tie-breaker"), StoredColumn("lineage_id", "int64", "the source row it came from")]
            + spec.view.features.map { feature in
                StoredColumn(feature.definition.name, feature.definition.type.rawValue, feature.definition.description ?? "= \(feature.definition.expression)")
            }
    }
}
