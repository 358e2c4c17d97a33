public import Foundation
public import StrataCore
public import StrataOffline
import StrataOnline

/// What a push did.
public struct PushReport: Sendable, Codable {
    public var view: String
    public var offline: IngestReport
    public var onlineWritten: Int
    public var onlineKept: Int
}

extension FeatureStore {
    /// Writes fresh rows (JSON Lines with the view's source columns) to the offline store with lineage, then to the
    /// online store with features computed by the Swift evaluator.
    ///
    /// Order and crash behaviour: the offline append commits first (one transaction); the online write follows
    /// (one LMDB transaction). A crash between them leaves the rows offline only; pushing the same batch again is
    /// idempotent — the offline side recognises the content and adds nothing, the online side writes the rows again
    /// and keeps any better row — so a retry repairs the gap.
    public func push(view name: String, file: URL, now: Int64 = currentMicros()) throws -> PushReport {
        let applied = try appliedProject()
        let tables = featureTables(applied)
        guard let spec = tables[name] else { throw FeatureStoreError.unknownView(name, suggestion: nearMiss(name, in: tables.keys)) }
        var source = spec.view.source
        source.format = .jsonl
        let definitions = applied.compiled.definitions
        let sameSource = definitions.views.filter { $0.source == source.name }.compactMap { tables[$0.name] }
        let keyColumns = Set(sameSource.flatMap { $0.view.keys.map(\.name) })
        let displayPath = "push:\(file.lastPathComponent)"
        let report = try offline.ingest(IngestRequest(source: source, sourceVersion: spec.sourceVersion, keyColumns: keyColumns, file: file,
                                                      displayPath: displayPath, isStrict: false, now: now,
                                                      definitionVersions: applied.versionsByName, views: sameSource))
        let rows = try offline.sourceRows(source, version: spec.sourceVersion, path: displayPath, contentSHA256: report.contentSHA256)
        let layouts = sameSource.map(onlineLayout)
        let (written, kept) = try online.write(layouts: layouts) { batch -> (Int, Int) in
            var written = 0, kept = 0
            for (target, layout) in zip(sameSource, layouts) {
                for row in rows {
                    let (key, onlineRow) = Self.evaluate(row, target)
                    if try batch.upsert(layout, key: key, row: onlineRow) { written += 1 } else { kept += 1 }
                }
            }
            return (written, kept)
        }
        return PushReport(view: name, offline: report, onlineWritten: written, onlineKept: kept)
    }

    /// Computes a view's key and features from one source row with the Swift evaluator (the online half of parity).
    static func evaluate(_ row: StoredSourceRow, _ spec: FeatureTableSpec) -> (KeyTuple, OnlineRow) {
        let source = spec.view.source
        var inputs = row.values
        inputs.append(.int(row.eventTs))
        if source.created != nil { inputs.append(.int(row.createdTs)) }
        let key = KeyTuple(spec.view.keys.map { key in
            let index = source.columns.firstIndex { $0.name == key.name } ?? 0
            switch row.values[index] {
            case .string(let s): return .string(s)
            case .int(let v): return .int(v)
            default: return .int(0)
            }
        })
        let values = spec.view.features.map { ExpressionEvaluator.evaluate($0.typed, row: inputs) }
        return (key, OnlineRow(eventTs: row.eventTs, createdTs: row.createdTs, ingestSeq: row.rowID, lineageID: row.rowID, values: values))
    }
}
