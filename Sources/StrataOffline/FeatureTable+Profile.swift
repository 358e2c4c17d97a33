import GRDB
import StrataCore
package import StrataQuality

extension OfflineStore {
    /// Profiles row features of a view's offline table over the rows with `since <= event_ts <= until` (every stored
    /// version of a row counts), streamed through a cursor. Columns are named `view:feature`.
    package func profileFeatureTable(_ spec: FeatureTableSpec, featureIndexes: [Int], since: Int64?, until: Int64?) throws -> DatasetProfile {
        let features = featureIndexes.map { spec.view.features[$0].definition }
        let view = spec.view.definition.name
        return try read("profile the offline values of \(view)") { db in
            var columns = features.map { ColumnProfile(name: "\(view):\($0.name)", type: $0.type) }
            let selected = features.map { quoted($0.name) }.joined(separator: ", ")
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT \(selected) FROM \(quoted(spec.tableName)) WHERE event_ts >= ? AND event_ts <= ?
                """, arguments: [since ?? Int64.min, until ?? Int64.max])
            var rows: Int64 = 0
            while let row = try cursor.next() {
                rows += 1
                for index in columns.indices { columns[index].add(Self.value(row[index] as DatabaseValue, features[index].type)) }
            }
            return DatasetProfile(columns: columns, rowCount: rows)
        }
    }
}
