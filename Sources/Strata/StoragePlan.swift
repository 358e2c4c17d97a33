public import StrataCore
import StrataOffline
import StrataRegistry

/// What an `apply` does to stored data, object by object: the cost side of a plan (issue 21).
public struct StoragePlan: Sendable, Codable, Hashable {
    /// One source's or view's storage effect.
    public struct Step: Sendable, Codable, Hashable {
        public enum Effect: String, Sendable, Codable {
            /// A new registry version on the same storage: nothing is copied, computed or materialized.
            case metadataOnly = "metadata_only"
            /// Columns are added to the source's storage; rows stored before read them as null.
            case addColumns = "add_columns"
            /// Columns change type: the stored rows are copied, converted.
            case convert
            /// Features or aggregations are computed from the stored rows.
            case recompute
            /// Nothing is stored for it yet (a new source, or a view of one).
            case empty
            /// The stored rows cannot serve it: it starts empty and needs `strata ingest` (refused without --allow-breaking).
            case restart
            /// It is removed; its stored data stays until `strata storage prune`.
            case removed
        }

        public var kind: DefinitionKind
        public var name: String
        public var effect: Effect
        /// What happens, in a sentence: "metadata only", "recompute 1 feature (speed_band) from 1,000,000 stored rows".
        public var summary: String
        /// Features and aggregations computed again from stored rows.
        public var recomputed: [String] = []
        /// Stored source rows read to compute them.
        public var storedRows: Int = 0
        /// Features whose online values must be materialized before they are served (empty when `apply` derives them
        /// from the rows served before, or nothing was served yet).
        public var materializeNeeded: [String] = []
    }

    public var steps: [Step] = []
    /// Problems that refuse the apply without `--allow-breaking` (a type change the stored rows cannot take, time
    /// columns that change).
    public var refusals: [String] = []
    /// What `--allow-breaking` would drop or leave behind, in the same order.
    public var drops: [String] = []

    public var isMetadataOnly: Bool { steps.allSatisfy { $0.effect == .metadataOnly } }
}
