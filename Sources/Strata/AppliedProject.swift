public import StrataCore
import StrataRegistry

/// The definitions as applied in the registry (not as currently on disk), compiled, with each object's version.
/// Stores work from this so that unapplied edits never change stored data.
public struct AppliedProject: Sendable {
    public var compiled: CompiledProject
    /// Latest version per `kind/name`.
    public var versions: [String: Int]

    public func version(_ kind: DefinitionKind, _ name: String) -> Int { versions["\(kind.rawValue)/\(name)"] ?? 0 }

    /// The feature references a selection names: a service's list, or the list given.
    /// - Throws: `FeatureStoreError.unknownService` with a near-miss suggestion.
    public func references(for selection: FeatureSelection) throws -> [FeatureReference] {
        switch selection {
        case .service(let name):
            guard let service = compiled.definitions.service(name) else {
                throw FeatureStoreError.unknownService(name, suggestion: nearMiss(name, in: compiled.definitions.services.map(\.name)))
            }
            return service.features
        case .references(let list):
            return list
        }
    }

    /// Versions by object name, for run records and manifests.
    public var versionsByName: [String: Int] {
        var result: [String: Int] = [:]
        for (key, version) in versions { result[String(key.split(separator: "/").last ?? "")] = version }
        return result
    }
}

/// Errors of the façade that are not a store's own.
public enum FeatureStoreError: StrataError {
    case nothingApplied
    case unknownSource(String, suggestion: String?)
    case unknownService(String, suggestion: String?)
    case unknownView(String, suggestion: String?)
    case badFeatureList(String)
    case ambiguousBareNames([String])
    case badOutput(path: String)
    /// A row's key cannot be used: never written under some other entity.
    case invalidKey(view: String, key: String, rowID: Int64, reason: String)
    /// A reproduction would overwrite the original training set.
    case wouldOverwriteOriginal(path: String)
    /// A reproduction's bytes differ from the original's.
    case reproductionDiffers(id: String, original: String, reproduced: String, path: String)
    /// A training set streamed over HTTP has no file beside which a reproduction could go.
    case needsOutputPath(id: String)
    /// A write found its source version not bound to a storage (an internal ordering problem: writers prepare first).
    case storageNotPrepared(source: String)
    /// An `apply` landed while a write waited for the lock; the write is retried on the new revision.
    case registryMoved(from: Int, to: Int)
    /// A change to stored data that needs `--allow-breaking`, with what that would drop.
    case storageChangeRefused(reasons: [String], drops: [String])
    /// A record the façade keeps in the registry (a job run's detail, a stored definition) does not decode.
    case undecodableRecord(what: String, record: String, cause: any Error & Sendable)

    public var cause: (any Error & Sendable)? {
        if case .undecodableRecord(_, _, let cause) = self { return cause }
        return nil
    }

    /// True for the retryable `registryMoved`.
    public var isRegistryMoved: Bool {
        if case .registryMoved = self { return true }
        return false
    }

    public var what: String {
        switch self {
        case .nothingApplied: return "the registry is empty: nothing has been applied yet"
        case .unknownSource(let name, _): return "unknown source `\(name)`"
        case .unknownService(let name, _): return "unknown feature service `\(name)`"
        case .unknownView(let name, _): return "unknown feature view `\(name)`"
        case .badFeatureList(let text): return "`\(text)` is not a feature reference"
        case .ambiguousBareNames(let names): return "bare feature names are ambiguous: \(names.joined(separator: ", ")) appear in several views"
        case .badOutput(let path): return "cannot tell the output format of `\(path)`"
        case .invalidKey(let view, let key, let rowID, let reason): return "feature view `\(view)`: source row \(rowID) has no usable key `\(key)`: \(reason)"
        case .wouldOverwriteOriginal(let path): return "the reproduction would overwrite the original training set \(path)"
        case .reproductionDiffers(let id, let original, let reproduced, let path):
            return "the reproduction of \(id) (\(path)) differs from the original: content sha256 \(reproduced.prefix(16))…, the original has \(original.prefix(16))…"
        case .needsOutputPath(let id): return "training set \(id) was streamed over HTTP, so it has no file to write the reproduction beside"
        case .storageNotPrepared(let source): return "source `\(source)` has no storage bound to its applied version"
        case .registryMoved(let from, let to): return "the registry moved from revision \(from) to \(to) while rows were being stored; nothing was written"
        case .undecodableRecord(let what, let record, let cause): return "\(what) \(record) is corrupt: \(errorSummary(cause))"
        case .storageChangeRefused(let reasons, _):
            return "the change cannot be applied to the stored data:\n" + reasons.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    public var location: SourceLocation? { nil }

    public var fix: String? {
        switch self {
        case .nothingApplied: return "run `strata plan` and `strata apply` first"
        case .unknownSource(_, let s), .unknownService(_, let s), .unknownView(_, let s): return s.map { "did you mean `\($0)`?" } ?? "run `strata registry list` to see what exists"
        case .badFeatureList: return "write `view:feature` or `view:*`, separated by commas"
        case .ambiguousBareNames: return "drop --bare-names to get `view__feature` column names"
        case .badOutput: return "end the output path with .csv, .jsonl, .db, .parquet, .arrow or .arrows"
        case .invalidKey: return "check the view's entity keys against its source's schema; rows with null keys are quarantined at ingest"
        case .wouldOverwriteOriginal: return "pass --out with another path; the original and its manifest are never touched"
        case .reproductionDiffers:
            return "the stored rows the manifest depends on changed (e.g. the offline store was rebuilt); compare the two files to see where"
        case .needsOutputPath: return "pass --out with a path (.arrows gives the same bytes as the stream)"
        case .storageNotPrepared: return "run the command again; if it persists, run `strata apply` to finish preparing the storage"
        case .registryMoved: return "run the command again"
        case .undecodableRecord: return "the registry was changed outside Strata or by an incompatible version; restore .strata/registry.db from a backup"
        case .storageChangeRefused(_, let drops):
            let dropped = drops.isEmpty ? "" : " With --allow-breaking:\n" + drops.map { "  - \($0)" }.joined(separator: "\n")
            return "change the definition back, or apply with --allow-breaking to accept what it drops." + dropped
        }
    }
}
