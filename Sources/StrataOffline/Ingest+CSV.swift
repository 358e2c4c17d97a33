import Foundation

extension SourceRecordReader {
    /// Reads CSV records from `start` (after the header when at offset 0) through a sliding window; returns the line
    /// number after the last record.
    func readCSV<Sink: SourceRowSink>(_ window: inout SourceWindow, from start: IngestRun.Start, into sink: inout Sink, sizeBytes: Int) throws -> Int {
        let header = try readHeader(window)
        var decoder = try SourceRowDecoder(source: request.source, header: header.names, keyColumns: request.keyColumns, path: request.displayPath)
        var fields: [CSVReader.Field] = []
        var line = start.offset == 0 ? header.nextLine : start.line
        try window.skip(to: start.offset == 0 ? header.endOffset : start.offset)
        // A record cut by the window's end is read again from the slid (or grown) window.
        try window.parseAll(recordLine: { line }) { bytes, isFinal, base in
            var reader = CSVReader(bytes: bytes, startingAt: 0, line: line, isFinal: isFinal, skipsBOM: false)
            while let record = reader.next(into: &fields) {
                try ingest(record, fields, reader, &decoder, &sink)
                if sink.rowsRead & 0xFFFF == 0 { progress?(base + reader.position, sizeBytes) }
            }
            line = reader.line
            return (reader.position, reader.needsMore)
        }
        progress?(sizeBytes, sizeBytes)
        return line
    }

    private func ingest<Sink: SourceRowSink>(_ record: CSVReader.Record, _ fields: [CSVReader.Field], _ reader: CSVReader,
                                             _ decoder: inout SourceRowDecoder, _ sink: inout Sink) throws {
        let raw = { String(decoding: UnsafeRawBufferPointer(rebasing: reader.bytes[record.start..<record.end]), as: UTF8.self) }
        if let problem = record.problem {
            try sink.quarantine(line: record.line, column: nil, raw: raw(), reason: "malformed CSV: \(problem)")
            return
        }
        switch decoder.decode(fields, reader) {
        case .success(let times):
            let fields = decoder.columnFields
            try sink.accept(line: record.line, event: times.event, created: times.created, values: decoder.values, column: { fields[$0] + 1 }, raw: raw)
        case .failure(let failure):
            try sink.quarantine(line: record.line, column: failure.column, raw: raw(), reason: failure.reason)
        }
    }

    /// The header record: column names, the file offset after it and the line that follows.
    private func readHeader(_ main: SourceWindow) throws -> (names: [String], endOffset: Int, nextLine: Int) {
        // Only the header is read here; the main window hashes the file.
        var window = SourceWindow(fd: main.fd, file: main.file, hashesContent: false)
        try window.fill()
        var fields: [CSVReader.Field] = []
        while true {
            let header = window.withBytes { bytes -> (names: [String], endOffset: Int, nextLine: Int)? in
                var reader = CSVReader(bytes: bytes, isFinal: window.isFinal)
                guard reader.next(into: &fields) != nil else { return nil }
                return (fields.map { reader.string($0).trimmingCharacters(in: .whitespaces) }, reader.position, reader.line)
            }
            if let header { return header }
            if window.isFinal { throw OfflineStoreError.emptyFile(source: request.source.name, path: request.displayPath) }
            try window.grow(recordLine: 1)
            try window.fill()
        }
    }
}
