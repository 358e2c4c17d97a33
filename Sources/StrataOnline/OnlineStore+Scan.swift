import CLMDB

extension OnlineStore {
    /// Entries read per read transaction by a full scan.
    public static let scanPageEntries = 1024

    /// Visits every stored row of `layout` in key order, `pageEntries` rows per read transaction, so that a scan of a
    /// large view (the UI's overview and histograms, the checker) never holds one long transaction: a long reader
    /// pins the pages writers free and makes the file grow (LMDB, "Caveats"). Not a snapshot: a write that commits
    /// during the scan is seen from the next page on, and every key present throughout is visited once. `body` runs
    /// outside any transaction.
    /// - Throws: `OnlineStoreError.corruptValue` when a stored row does not decode; LMDB errors; what `body` throws.
    public func forEachRow(_ layout: OnlineViewLayout, pageEntries: Int = scanPageEntries, _ body: ([UInt8], OnlineRow) throws -> Void) throws {
        try scan(layout.databaseName, pageEntries: pageEntries, decode: { key, value in (Array(key), try Self.decode(value, layout)) }) { try body($0.0, $0.1) }
    }

    /// Visits every key of a named database (row features or aggregation records) with its value's size, in key order,
    /// `pageEntries` keys per read transaction (see `forEachRow`).
    package func forEachKey(database name: String, pageEntries: Int = scanPageEntries, _ body: ([UInt8], Int) throws -> Void) throws {
        try scan(name, pageEntries: pageEntries, decode: { key, value in (Array(key), value.count) }) { try body($0.0, $0.1) }
    }

    /// Every stored row of a layout, in key order (for tests and small views), read page by page like `forEachRow`.
    public func allRows(_ layout: OnlineViewLayout) throws -> [(key: [UInt8], row: OnlineRow)] {
        var rows: [(key: [UInt8], row: OnlineRow)] = []
        try forEachRow(layout) { key, row in rows.append((key, row)) }
        return rows
    }

    private func scan<Entry>(_ name: String, pageEntries: Int, decode: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Entry,
                             _ body: (Entry) throws -> Void) throws {
        precondition(pageEntries > 0, "a scan page holds at least one entry")
        guard let dbi = try environment.existingDatabase(name) else { return }
        var after: [UInt8]?
        var page: [Entry] = []
        page.reserveCapacity(pageEntries)
        repeat {
            page.removeAll(keepingCapacity: true)
            after = try environment.read { txn in
                try txn.forEach(dbi, after: after, limit: pageEntries) { key, value in page.append(try decode(key, value)) }
            }
            for entry in page { try body(entry) }
        } while after != nil && page.count == pageEntries
    }
}
