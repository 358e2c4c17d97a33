import Foundation
public import StrataCore
public import StrataOffline
import StrataRegistry

/// A spine handed over as Arrow IPC or Parquet bytes (an HTTP body, standard input) rather than as a file.
public struct SpineBytes: Sendable {
    public var bytes: [UInt8]
    public var format: SpineFormat
    /// What errors call the spine, e.g. "the request body" or "standard input".
    public var displayName: String
    /// More rows than this are refused with a `ColumnarError` of kind `limitExceeded`.
    public var rowsMax: Int

    /// Bytes of `format` (`.arrow` for Arrow IPC, file or stream, or `.parquet`).
    public init(_ bytes: [UInt8], format: SpineFormat, displayName: String, rowsMax: Int = Spine.rowsMax) {
        self.bytes = bytes
        self.format = format
        self.displayName = displayName
        self.rowsMax = rowsMax
    }

    /// `.parquet` when the bytes start with Parquet's magic `PAR1`, else `.arrow` (the Arrow reader tells file from stream).
    public static func detectFormat(_ bytes: [UInt8]) -> SpineFormat {
        bytes.starts(with: Array("PAR1".utf8)) ? .parquet : .arrow
    }
}

/// A training set joined in memory for a caller that encodes and sends it itself (the server's Arrow stream). Its
/// manifest, id included, is known before the first byte goes out; the content and stream hashes are filled in by
/// `FeatureStore.record(_:contentSHA256:streamSHA256:)` once every byte is encoded.
public struct StreamedTrainingSet: Sendable {
    public var trainingSet: TrainingSet
    /// The manifest to record; `output.contentSHA256` is empty until `record`.
    public var manifest: TrainingSetManifest
    /// When the build started (the instant the id is derived from).
    public var createdAtMicros: Int64
    /// What the set was built from; `record` profiles the set's columns by it, as `historical` does.
    let plan: TrainingSetPlan
}

extension FeatureStore {
    /// Builds a training set like `historical`, but keeps it in memory to be sent as an Arrow IPC stream instead of
    /// written to `request.outputPath`. `label` names the stream in the manifest's output (`stream:LABEL`) and makes the
    /// id unique; a spine given as bytes is kept in the project, so `reproduce` works later.
    ///
    /// ```swift
    /// var streamed = try store.historicalStream(request, label: requestID)
    /// var stream = try TrainingSetArrowStream(streamed.trainingSet)   // send every piece, hashing as you go
    /// _ = try store.record(streamed, contentSHA256: content, streamSHA256: sent)
    /// ```
    /// - Throws: what `historical` throws (unknown features, spine problems, store errors).
    public func historicalStream(_ request: HistoricalRequest, label: String, now: Int64 = currentMicros()) throws -> StreamedTrainingSet {
        try recordingFailure(ofHistorical: request) {
            try stream(try trainingPlan(for: request), request: request, label: label, now: now, original: nil)
        }
    }

    /// Rebuilds a recorded training set like `reproduce`, in memory, to be sent as an Arrow IPC stream: the same bytes
    /// as the original's stream when the original was streamed too.
    /// - Throws: `OfflineStoreError.unknownTrainingSet`, `.spineChanged`; store errors.
    public func reproduceStream(id: String, label: String, now: Int64 = currentMicros()) throws -> StreamedTrainingSet {
        let original = try trainingSetManifest(id: id)
        let plan = try TrainingSetPlan(manifest: original, registry: registry, resolver: try storageResolver())
        let request = HistoricalRequest(spinePath: original.spine.path, features: .references([]), corrections: plan.corrections,
                                        isStrict: plan.isStrict, timestampColumn: original.spine.timestampColumn,
                                        includesStatus: plan.includesStatus, usesBareNames: plan.usesBareNames,
                                        outputPath: "", table: original.output.table)
        return try stream(plan, request: request, label: label, now: now, original: original)
    }

    /// Records a streamed training set's manifest in the registry once its bytes are encoded, with the SHA-256 of its
    /// CSV rendering (the content hash every format shares) and of the Arrow stream's bytes.
    /// - Throws: `RegistryError` when the manifest cannot be written.
    public func record(_ streamed: StreamedTrainingSet, contentSHA256: String, streamSHA256: String, now: Int64 = currentMicros()) throws -> TrainingSetManifest {
        var manifest = streamed.manifest
        manifest.output.contentSHA256 = contentSHA256
        manifest.output.fileSHA256 = streamSHA256
        manifest.finishedAt = Timestamp.format(max(now, streamed.createdAtMicros))
        try registry.recordTrainingSet(id: manifest.id, createdAtMicros: streamed.createdAtMicros, manifest: try manifest.json())
        try recordTrainingSetProfile(id: manifest.id, plan: streamed.plan, set: streamed.trainingSet)
        return manifest
    }

    private func stream(_ plan: TrainingSetPlan, request: HistoricalRequest, label: String, now: Int64,
                        original: TrainingSetManifest?) throws -> StreamedTrainingSet {
        let (spine, spinePath) = try loadSpine(request, original: original)
        let set = try join(plan, spine: spine)
        // The id hashes the start time, the output name and the spine's hash; with the content hash left empty it is
        // known before the content is encoded, and the label keeps concurrent requests apart.
        var manifest = try TrainingSetManifest(plan: plan, spine: spine, spinePath: spinePath, output: "stream:\(label)", format: .arrowStream,
                                               table: request.table, contentSHA256: "", createdAt: now, store: self, set: set)
        manifest.reproducedFrom = original?.id
        return StreamedTrainingSet(trainingSet: set, manifest: manifest, createdAtMicros: now, plan: plan)
    }

    /// Keeps a spine's bytes in the project (`.strata/spines/SHA256.arrow` or `.parquet`), written through a private
    /// temporary file and renamed into place, so a training set built from them can be reproduced; returns the path.
    /// The same bytes are kept once (a rename over an existing copy replaces it with equal bytes).
    /// - Throws: `OfflineStoreError.spineProblem` when the file cannot be written.
    public func keepSpine(_ spine: SpineBytes) throws -> String {
        var hasher = SHA256()
        hasher.update(spine.bytes)
        let folder = self.folder.stateFolder.appendingPathComponent("spines", isDirectory: true)
        let url = folder.appendingPathComponent(hasher.finalizeHex() + (spine.format == .parquet ? ".parquet" : ".arrow"))
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var sink = try ColumnarFileSink(destination: url)
            do {
                try sink.write(spine.bytes)
                _ = try sink.commit()
            } catch {
                sink.discard()
                throw error
            }
        } catch {
            throw OfflineStoreError.spineProblem(what: "cannot keep \(spine.displayName) at \(url.path): \(error)", file: spine.displayName, line: 0,
                                                 fix: "check that the project's .strata folder is writable and the disk has room")
        }
        return url.path
    }
}
