import Foundation
import StrataColumnar
import StrataCore

/// Writes a training set as Parquet or Arrow IPC, batch by batch, into a private temporary file renamed over the
/// output at the end, so a failed write leaves no partial file.
enum ColumnarTrainingSetWriter {
    /// Rows per batch handed to the encoders: bounds the memory the encoding adds to the training set itself.
    static let batchRows = 65_536

    static func write(_ set: TrainingSet, to url: URL, format: TrainingSetFormat) throws {
        let schema = set.columnarSchema
        let rowCount = set.spine.rows.count
        var sink = try ColumnarFileSink(destination: url)
        do {
            switch format {
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
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
    }
}

/// Appends bytes to a temporary file beside `destination` (created with `mkstemp`, so private and unique), then renames it.
struct ColumnarFileSink {
    let destination: URL
    private let temporaryPath: String
    private var descriptor: Int32

    init(destination: URL) throws {
        self.destination = destination
        var template = Array("\(destination.deletingLastPathComponent().path)/.\(destination.lastPathComponent).XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard descriptor >= 0 else {
            throw OfflineStoreError.sqlite(operation: "create the training set file", path: destination.path, underlying: String(cString: strerror(errno)))
        }
    }

    mutating func write(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                throw OfflineStoreError.sqlite(operation: "write the training set", path: destination.path, underlying: String(cString: strerror(errno)))
            }
            written += result
        }
    }

    /// Closes the file (with its permissions widened to what a plain file gets) and moves it over the destination.
    mutating func commit() throws {
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        guard close(descriptor) == 0, rename(temporaryPath, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OfflineStoreError.sqlite(operation: "finish the training set file", path: destination.path, underlying: reason)
        }
        descriptor = -1
    }

    mutating func discard() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }
}
