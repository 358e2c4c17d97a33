package import Foundation
import StrataColumnar
import StrataCore
import Synchronization

extension TrainingSetWriter {
    /// Writes the set like `write` and returns its content hash (of the CSV rendering, equal across formats) and the
    /// SHA-256 of the file's bytes (the same for CSV; computed while writing for Parquet and Arrow).
    package static func writeWithHashes(_ set: TrainingSet, to url: URL, format: TrainingSetFormat,
                                       table: String = "training_set") throws -> (content: String, file: String) {
        switch format {
        case .parquet, .arrow, .arrowStream: return try writeColumnar(set, to: url, format: format)
        case .csv:
            let content = try write(set, to: url, format: format, table: table)
            return (content, content)
        case .jsonl, .sqlite:
            return (try write(set, to: url, format: format, table: table), try fileSHA256(url))
        }
    }

    static func writeColumnar(_ set: TrainingSet, to url: URL, format: TrainingSetFormat) throws -> (content: String, file: String) {
        try ColumnarTrainingSetWriter.write(set, to: url, format: format) { contentSHA256($0) }
    }

    /// The SHA-256 of the set rendered as CSV: the content hash a manifest records, equal across formats.
    package static func contentSHA256(_ set: TrainingSet) -> String {
        var hasher = SHA256()
        // The sink only hashes, so the rendering cannot fail.
        try? renderCSV(set) { hasher.update($0) }
        return hasher.finalizeHex()
    }

    /// SHA-256 of a file's bytes, read in chunks.
    static func fileSHA256(_ url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }
}

/// Writes a training set as Parquet or Arrow IPC, batch by batch, into a private temporary file renamed over the
/// output at the end, so a failed write leaves no partial file.
enum ColumnarTrainingSetWriter {
    /// Rows per batch handed to the encoders: bounds the memory the encoding adds to the training set itself.
    static let batchRows = 65_536

    /// Writes the file and returns `contentSHA256(set)`, computed on a second thread meanwhile, and the file's SHA-256,
    /// computed as it is written. The content hash is defined on the CSV rendering (equal sets, equal hashes, whatever
    /// the format): rendering it before or after the encoding would make Parquet or Arrow slower to write than CSV.
    static func write(_ set: TrainingSet, to url: URL, format: TrainingSetFormat,
                      contentSHA256: @escaping @Sendable (TrainingSet) -> String) throws -> (content: String, file: String) {
        let set = try set.typingSpineColumns()
        let hash = Mutex("")
        let fileHash = Mutex("")
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { task in
            if task == 0 {
                let value = contentSHA256(set)
                hash.withLock { $0 = value }
                return
            }
            do {
                let value = try encode(set, to: url, format: format)
                fileHash.withLock { $0 = value }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return (hash.withLock { $0 }, fileHash.withLock { $0 })
    }

    /// Encodes and writes the file; returns the SHA-256 of its bytes.
    private static func encode(_ set: TrainingSet, to url: URL, format: TrainingSetFormat) throws -> String {
        let schema = set.columnarSchema
        let rowCount = set.spine.rows.count
        var sink = try ColumnarFileSink(destination: url)
        do {
            switch format {
            case .arrowStream:
                var stream = try TrainingSetArrowStream(set)
                while let bytes = try stream.next() { try sink.write(bytes) }
            case .arrow:
                var writer = try ArrowWriter(schema: schema, format: .file, batchRowsMax: batchRows)
                for start in stride(from: 0, to: rowCount, by: batchRows) {
                    try sink.write(try writer.write(try set.columnarBatch(start..<min(start + batchRows, rowCount))))
                }
                try sink.write(try writer.finish())
            case .parquet, .csv, .jsonl, .sqlite:
                var writer = try ParquetWriter(schema: schema)
                for start in stride(from: 0, to: rowCount, by: batchRows) {
                    try sink.write(try writer.write(try set.columnarBatch(start..<min(start + batchRows, rowCount))))
                }
                try sink.write(try writer.finish())
            }
            return try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
    }
}

/// Appends bytes to a temporary file beside `destination` (created with `mkstemp`, so private and unique), then renames it.
package struct ColumnarFileSink {
    package let destination: URL
    private let temporaryPath: String
    private var descriptor: Int32
    private var hasher = SHA256()

    package init(destination: URL) throws {
        self.destination = destination
        var template = Array("\(destination.deletingLastPathComponent().path)/.\(destination.lastPathComponent).XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard descriptor >= 0 else {
            throw OfflineStoreError.failed(operation: "create the training set file", path: destination.path, cause: SystemError.current)
        }
    }

    package mutating func write(_ bytes: [UInt8]) throws {
        hasher.update(bytes)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                throw OfflineStoreError.failed(operation: "write the training set", path: destination.path, cause: SystemError.current)
            }
            written += result
        }
    }

    /// Closes the file (with its permissions widened to what a plain file gets), moves it over the destination, and
    /// returns the SHA-256 of the bytes written.
    package mutating func commit() throws -> String {
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        guard close(descriptor) == 0, rename(temporaryPath, destination.path) == 0 else {
            let cause = SystemError.current
            unlink(temporaryPath)
            throw OfflineStoreError.failed(operation: "finish the training set file", path: destination.path, cause: cause)
        }
        descriptor = -1
        return hasher.finalizeHex()
    }

    package mutating func discard() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }
}

/// A training set as an Arrow IPC stream, piece by piece: the schema with the first record batch, one record batch per
/// `ColumnarTrainingSetWriter.batchRows` rows, then the end-of-stream marker. The `.arrows` writer and the server's
/// `POST /v1/historical` both use it, so a streamed training set and its file have the same bytes.
///
/// ```swift
/// var stream = try TrainingSetArrowStream(set)
/// while let bytes = try stream.next() { send(bytes) }
/// ```
public struct TrainingSetArrowStream: Sendable {
    public let set: TrainingSet
    private var writer: ArrowWriter
    private var nextRow = 0
    private var isDone = false

    /// A stream of `set`; nothing is encoded until `next`.
    public init(_ set: TrainingSet) throws {
        self.set = try set.typingSpineColumns()
        writer = try ArrowWriter(schema: self.set.columnarSchema, format: .stream, batchRowsMax: ColumnarTrainingSetWriter.batchRows)
    }

    /// Whether the next piece is the last one (the end-of-stream marker, or the schema alone for no rows).
    public var isAtEnd: Bool { nextRow >= set.spine.rows.count }

    /// The next piece of the stream, or nil after the end-of-stream marker.
    public mutating func next() throws -> [UInt8]? {
        guard !isDone else { return nil }
        let rowCount = set.spine.rows.count
        guard nextRow < rowCount else {
            isDone = true
            return try writer.finish()
        }
        let end = min(nextRow + ColumnarTrainingSetWriter.batchRows, rowCount)
        defer { nextRow = end }
        return try writer.write(try set.columnarBatch(nextRow..<end))
    }
}
