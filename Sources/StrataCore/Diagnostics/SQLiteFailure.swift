/// What an SQLite result code means for the user, shared by the stores that keep SQLite files (registry, offline
/// store, feature log). Codes are SQLite's primary result codes (https://sqlite.org/rescode.html); extended codes
/// carry the primary one in their low byte.
public enum SQLiteFailure {
    static let busy: Int32 = 5, locked: Int32 = 6, readOnly: Int32 = 8, ioError: Int32 = 10, corrupt: Int32 = 11, full: Int32 = 13
    static let cannotOpen: Int32 = 14, permission: Int32 = 3, auth: Int32 = 23, notADatabase: Int32 = 26

    /// Another connection held the lock too long: retrying later may succeed.
    public static func isBusy(_ code: Int32) -> Bool { code & 0xFF == busy || code & 0xFF == locked }

    /// The disk, or the database's page limit, is full.
    public static func isFull(_ code: Int32) -> Bool { code & 0xFF == full }

    /// How to fix a failure with `code` on the database at `path`.
    public static func fix(code: Int32, path: String) -> String {
        switch code & 0xFF {
        case full: return "free disk space on the volume holding \(path), then run the command again (the transaction was rolled back)"
        case busy, locked: return "another process held the write lock for too long (a long ingest?); run the command again when it has finished"
        case readOnly, permission, cannotOpen, auth:
            return "give this user read and write access to \(path), its folder and its -wal/-shm files (chown or chmod), and check the disk has free space"
        case corrupt, notADatabase: return "\(path) is damaged: restore it from a backup"
        case ioError: return "the disk reported an I/O error for \(path): check free space and the device"
        default: return "check that the state folder is writable and has free space"
        }
    }
}
