import GRDB

extension Row {
    /// The value of `name`, decoded to the type the caller expects. A NULL where the schema promises a value (a damaged
    /// file, or one changed outside Strata) is an error naming the column; GRDB's subscript would stop the process.
    /// - Throws: `OfflineStoreError.undecodable` with GRDB's decoding error as its cause.
    func column<Value: DatabaseValueConvertible>(_ name: String) throws(OfflineStoreError) -> Value {
        do {
            return try decode(forColumn: name)
        } catch {
            throw .undecodable(what: "the stored column", record: "`\(name)`", cause: error)
        }
    }
}
