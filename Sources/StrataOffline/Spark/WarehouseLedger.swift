import Foundation

/// What the warehouse holds of one source table (`_strata_exported` in its folder): the last row id whose rows are all
/// published, and every published file with its size, so that a file deleted, cut short or added by hand is found
/// before Spark reads the folder (it would otherwise read fewer or more rows, silently).
///
/// ```
/// strata-warehouse-ledger 2
/// through 250000
/// file event_day=2026-03-01/rows-1-250000.parquet 1843212
/// ```
struct WarehouseLedger: Equatable {
    static let header = "strata-warehouse-ledger 2"
    var through: Int64 = 0
    /// Path relative to the table's folder → size in bytes.
    var files: [String: Int] = [:]

    init() {}

    /// The ledger in `text`; nil when it is not in this format (an earlier version's bare row id, or damage).
    init?(text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard lines.popFirst() == Substring(Self.header) else { return nil }
        for line in lines {
            let fields = line.split(separator: " ")
            switch (fields.first, fields.count) {
            case ("through", 2):
                guard let value = Int64(fields[1]) else { return nil }
                through = value
            case ("file", 3):
                guard let size = Int(fields[2]) else { return nil }
                files[String(fields[1])] = size
            default:
                return nil
            }
        }
    }

    var text: String {
        ([Self.header, "through \(through)"] + files.keys.sorted().map { "file \($0) \(files[$0] ?? 0)" }).joined(separator: "\n") + "\n"
    }

    /// The first row id in a published file's name (`rows-FIRST-LAST.parquet`), nil for any other name.
    static func firstRowID(_ name: String) -> Int64? {
        guard name.hasPrefix("rows-"), name.hasSuffix(".parquet") else { return nil }
        let parts = name.dropLast(".parquet".count).split(separator: "-")
        guard parts.count == 3 else { return nil }
        return Int64(parts[1])
    }

    /// The first difference between `folder` and this ledger, nil when they agree. Names starting with `_` or `.` are
    /// not read by Spark and not compared; files beyond `through` are what a killed publication left, removed before
    /// this check.
    func damage(in folder: URL) throws -> String? {
        let manager = FileManager.default
        var seen = Set<String>()
        for entry in try manager.contentsOfDirectory(atPath: folder.path).sorted() where !entry.hasPrefix("_") && !entry.hasPrefix(".") {
            var isFolder: ObjCBool = false
            guard entry.hasPrefix("event_day="), manager.fileExists(atPath: folder.appendingPathComponent(entry).path, isDirectory: &isFolder),
                  isFolder.boolValue else {
                return "`\(entry)` is not something Strata published"
            }
            for file in try manager.contentsOfDirectory(atPath: folder.appendingPathComponent(entry).path).sorted()
            where !file.hasPrefix("_") && !file.hasPrefix(".") {
                let relative = entry + "/" + file
                guard let size = files[relative] else { return "`\(relative)` is not in the ledger" }
                var info = stat()
                guard stat(folder.appendingPathComponent(relative).path, &info) == 0, Int(info.st_size) == size else {
                    return "`\(relative)` has \(info.st_size) bytes where \(size) were published"
                }
                seen.insert(relative)
            }
        }
        if let missing = files.keys.sorted().first(where: { !seen.contains($0) }) { return "`\(missing)` is missing" }
        return nil
    }
}
