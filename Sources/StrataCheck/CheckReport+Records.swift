import Foundation
public import Strata

// The one place a check report is turned into its stored JSON and back: the registry keeps it as text (it cannot
// know this module's types), and every reader (lineage, OpenLineage export, the UI) decodes it here, with one error.

extension CheckReport {
    /// The stored form: JSON with sorted keys.
    func storedJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Decodes a stored report.
    /// - Throws: `FeatureStoreError.undecodableRecord` naming the report, with the decoder's error as its cause.
    static func decode(stored json: String, id: String) throws(FeatureStoreError) -> CheckReport {
        do {
            return try JSONDecoder().decode(CheckReport.self, from: Data(json.utf8))
        } catch {
            throw .undecodableRecord(what: "check report", record: id, cause: error)
        }
    }
}

extension FeatureStore {
    /// Every recorded check report, newest first.
    /// - Throws: `FeatureStoreError.undecodableRecord` naming the first report that does not decode; registry errors.
    public func checkReports() throws -> [CheckReport] {
        try checkReportRecords().map { record in try CheckReport.decode(stored: record.report, id: record.id) }
    }

    /// Records a finished report.
    func record(_ report: CheckReport, createdAtMicros: Int64) throws {
        try recordCheckReport(id: report.id, createdAtMicros: createdAtMicros, report: try report.storedJSON())
    }
}
