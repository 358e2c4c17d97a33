import Foundation
import StrataCore

/// A source file read with `read(2)` in bounded chunks. It is never memory-mapped: a file that shrinks under a map
/// raises SIGBUS. Its identity (size, modification time, inode) is taken before a run and compared after it, and
/// every byte parsed is hashed again, so a file that changes during a run is refused instead of ingested half old.
struct SourceFile {
    let url: URL
    let source: String
    let displayPath: String

    /// Bytes read per `read(2)`; a window grows past it only for a single longer record.
    static let chunkBytes = 1 << 20
    /// The longest record accepted: more is almost always an unclosed quote, and would hold the rest of the file in memory.
    static let recordBytesMax = 64 << 20

    /// What identifies one version of the file on disk.
    struct Identity: Equatable {
        var size: Int
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var inode: UInt64
        var device: UInt64

        func change(to other: Identity) -> String? {
            if other.inode != inode || other.device != device { return "it was replaced by another file" }
            if other.size != size { return "its size went from \(size) to \(other.size) bytes" }
            if other.modifiedSeconds != modifiedSeconds || other.modifiedNanoseconds != modifiedNanoseconds { return "it was modified" }
            return nil
        }
    }

    /// The file's content hash, and the hash and last byte of its first `prefixBytes` bytes (for append detection).
    struct Fingerprint {
        var size: Int
        var sha256: String
        var prefixSHA256: String?
        var prefixEndsWithNewline = false
    }

    func open() throws(OfflineStoreError) -> Int32 {
        let fd = Foundation.open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable(errno) }
        return fd
    }

    func identity(_ fd: Int32) throws(OfflineStoreError) -> Identity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unreadable(errno) }
        return Identity(size: Int(info.st_size), modifiedSeconds: Int(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec),
                        inode: UInt64(info.st_ino), device: UInt64(info.st_dev))
    }

    /// Identity of the file at its path now (it may have been replaced since it was opened).
    func currentIdentity() throws(OfflineStoreError) -> Identity {
        let fd = try open()
        defer { close(fd) }
        return try identity(fd)
    }

    /// Hashes the whole file in one pass, taking the hash of its first `prefixBytes` bytes on the way.
    func fingerprint(_ fd: Int32, prefixBytes: Int?) throws(OfflineStoreError) -> Fingerprint {
        var reader = ChunkReader(fd: fd, file: self)
        var hasher = SHA256()
        var prefix: SHA256?
        var total = 0
        var lastPrefixByte: UInt8 = 0
        while let chunk = try reader.nextChunk() {
            chunk.withUnsafeBytes { bytes in
                var rest = bytes
                if let prefixBytes, prefix == nil, total + bytes.count >= prefixBytes {
                    let split = prefixBytes - total
                    hasher.update(UnsafeRawBufferPointer(rebasing: bytes[0..<split]))
                    prefix = hasher
                    if split > 0 { lastPrefixByte = bytes[split - 1] }
                    rest = UnsafeRawBufferPointer(rebasing: bytes[split...])
                }
                hasher.update(rest)
            }
            total += chunk.count
        }
        var prefixSHA: String?
        if var prefix { prefixSHA = prefix.finalizeHex() }
        return Fingerprint(size: total, sha256: hasher.finalizeHex(), prefixSHA256: prefixSHA, prefixEndsWithNewline: lastPrefixByte == UInt8(ascii: "\n"))
    }

    func unreadable(_ code: Int32) -> OfflineStoreError {
        .fileUnreadable(source: source, path: displayPath, code: code, message: String(cString: strerror(code)))
    }
}

/// Sequential `read(2)` calls into one reused buffer.
struct ChunkReader {
    let fd: Int32
    let file: SourceFile
    private var buffer = [UInt8](repeating: 0, count: SourceFile.chunkBytes)

    init(fd: Int32, file: SourceFile) {
        self.fd = fd
        self.file = file
    }

    /// The next bytes of the file, nil at its end. Valid until the next call.
    mutating func nextChunk() throws(OfflineStoreError) -> ArraySlice<UInt8>? {
        let count = try Self.read(fd, into: &buffer, at: 0, file: file)
        return count == 0 ? nil : buffer[0..<count]
    }

    /// Reads up to the room left in `buffer` after `offset`, from file offset `fileOffset` (or the current position
    /// when nil), retrying on interrupts; 0 at the end of the file.
    static func read(_ fd: Int32, into buffer: inout [UInt8], at offset: Int, fileOffset: Int? = nil, file: SourceFile) throws(OfflineStoreError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let start = raw.baseAddress else { return 0 }
                if let fileOffset { return pread(fd, start + offset, raw.count - offset, off_t(fileOffset)) }
                return Foundation.read(fd, start + offset, raw.count - offset)
            }
            if count >= 0 { return count }
            if errno != EINTR { throw file.unreadable(errno) }
        }
    }
}

/// A sliding window over a file for the parsers: holds a bounded part of it and hashes every byte once as it is
/// read. A record longer than the window doubles it, up to `SourceFile.recordBytesMax`. Reads are positional
/// (`pread`), so several windows can read one descriptor.
struct SourceWindow {
    let fd: Int32
    let file: SourceFile
    private var buffer: [UInt8]
    /// Valid bytes in the window.
    private(set) var count = 0
    /// File offset of the window's first byte.
    private(set) var base = 0
    /// True once the file's end has been read: the window then ends where the file does.
    private(set) var isFinal = false
    private var hasher = SHA256()
    /// False for a read that stores nothing (`strata profile --file`): the content hash is then not computed.
    let hashesContent: Bool

    init(fd: Int32, file: SourceFile, hashesContent: Bool = true) {
        self.fd = fd
        self.file = file
        self.hashesContent = hashesContent
        buffer = [UInt8](repeating: 0, count: SourceFile.chunkBytes)
    }

    /// Reads until the window is full or the file ends.
    mutating func fill() throws(OfflineStoreError) {
        while !isFinal, count < buffer.count {
            let read = try ChunkReader.read(fd, into: &buffer, at: count, fileOffset: base + count, file: file)
            if read == 0 { isFinal = true; break }
            let start = count
            if hashesContent { buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[start..<(start + read)])) } }
            count += read
        }
    }

    /// Drops the first `bytes` bytes of the window.
    mutating func consume(_ bytes: Int) {
        guard bytes > 0 else { return }
        let remaining = count - bytes
        buffer.withUnsafeMutableBytes { raw in
            guard let start = raw.baseAddress else { return }
            memmove(start, start + bytes, remaining)
        }
        count = remaining
        base += bytes
    }

    /// Makes room for a record that fills the whole window.
    /// - Throws: `.limitExceeded` when the record outgrows `SourceFile.recordBytesMax`.
    mutating func grow(recordLine line: Int) throws(OfflineStoreError) {
        guard buffer.count < SourceFile.recordBytesMax else {
            throw OfflineStoreError.limitExceeded(what: "the record starting at \(file.displayPath):\(line)", limit: SourceFile.recordBytesMax,
                                                  fix: "a record this long is usually an unclosed quote; fix the file near that line")
        }
        buffer += [UInt8](repeating: 0, count: buffer.count)
    }

    /// Reads and hashes, without keeping, everything before file offset `offset` (what an append already ingested).
    mutating func skip(to offset: Int) throws(OfflineStoreError) {
        try fill()
        while base + count < offset, !isFinal {
            consume(count)
            try fill()
        }
        consume(min(count, offset - base))
        try fill()
    }

    /// Hands the window to `parse` until the file is read. `parse` gets the bytes, whether they end where the file
    /// does, and their file offset; it returns how many bytes it consumed and whether it stopped at a record the
    /// window holds only part of. The window then slides on (or grows, when that record fills it) and refills.
    mutating func parseAll(recordLine: () -> Int,
                           _ parse: (UnsafeRawBufferPointer, _ isFinal: Bool, _ base: Int) throws -> (consumed: Int, needsMore: Bool)) throws {
        while true {
            let isFinal = self.isFinal, base = self.base
            let (consumed, needsMore) = try withBytes { try parse($0, isFinal, base) }
            if !needsMore, isFinal { return }
            if needsMore, consumed == 0 { try grow(recordLine: recordLine()) }
            consume(consumed)
            try fill()
        }
    }

    /// The bytes the window holds.
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Reads to the end of the file and returns the hash of every byte the window read (empty when not hashing).
    mutating func finish() throws(OfflineStoreError) -> String {
        while !isFinal {
            consume(count)
            try fill()
        }
        return hashesContent ? hasher.finalizeHex() : ""
    }
}
