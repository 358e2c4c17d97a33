/// What a profile is taken of, for drift: a recorded training set, an ingest run, the offline feature values of a
/// window of event time, or the serving log of a window of request time.
///
/// Written `training-set:ID`, `run:N`, `source:T1..T2` or `logs:T1..T2` (RFC 3339 instants; either end may be
/// left out for an open window).
public enum ProfileSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    case trainingSet(String)
    case run(Int64)
    /// Offline feature rows with `since <= event_ts <= until`.
    case source(since: Int64?, until: Int64?)
    /// Logged lookups with `since <= request_ts <= until`.
    case logs(since: Int64?, until: Int64?)

    public var description: String {
        switch self {
        case .trainingSet(let id): return "training-set:\(id)"
        case .run(let id): return "run:\(id)"
        case .source(let since, let until): return "source:\(Self.window(since, until))"
        case .logs(let since, let until): return "logs:\(Self.window(since, until))"
        }
    }

    static func window(_ since: Int64?, _ until: Int64?) -> String {
        (since.map(Timestamp.format) ?? "") + ".." + (until.map(Timestamp.format) ?? "")
    }

    /// Parses the written form; the failure says what is wrong.
    public static func parse(_ text: String) -> Result<ProfileSpec, ProfileSpecFailure> {
        guard let colon = text.firstIndex(of: ":") else { return .failure(ProfileSpecFailure(text: text, problem: "it has no kind")) }
        let kind = String(text[..<colon]), rest = String(text[text.index(after: colon)...])
        switch kind {
        case "training-set":
            guard !rest.isEmpty else { return .failure(ProfileSpecFailure(text: text, problem: "the training-set id is empty")) }
            return .success(.trainingSet(rest))
        case "run":
            guard let id = Int64(rest), id > 0 else { return .failure(ProfileSpecFailure(text: text, problem: "`\(rest)` is not a run number")) }
            return .success(.run(id))
        case "source", "logs":
            guard let range = rest.range(of: "..") else {
                return .failure(ProfileSpecFailure(text: text, problem: "the window needs `..` between its ends"))
            }
            var ends: [Int64?] = []
            for part in [String(rest[..<range.lowerBound]), String(rest[range.upperBound...])] {
                guard !part.isEmpty else { ends.append(nil); continue }
                switch Timestamp.parse(part) {
                case .success(let micros): ends.append(micros)
                case .failure(let failure): return .failure(ProfileSpecFailure(text: text, problem: "`\(part)`: \(failure)"))
                }
            }
            if let since = ends[0], let until = ends[1], since > until {
                return .failure(ProfileSpecFailure(text: text, problem: "the window ends before it starts"))
            }
            return .success(kind == "source" ? .source(since: ends[0], until: ends[1]) : .logs(since: ends[0], until: ends[1]))
        default:
            return .failure(ProfileSpecFailure(text: text, problem: "unknown kind `\(kind)`"))
        }
    }
}

/// Why a profile spec does not parse.
public struct ProfileSpecFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "`\(text)` is not a profile: \(problem)" }
    /// The forms that parse.
    public static let forms = "training-set:ID, run:N, source:T1..T2 or logs:T1..T2 (RFC 3339 instants such as 2026-03-01T00:00:00Z; an end may be left out)"
}

/// A feature service's `monitoring:` block: drift of its features, computed by `strata serve` on a schedule.
///
/// ```yaml
/// monitoring:
///   every: 15m
///   reference: training-set:ts-1a2b3c4d5e6f
///   drift_share: 0.5
///   features:
///     driver_stats:conv_rate: {method: psi, threshold: 0.2}
///   alert: {webhook: "http://127.0.0.1:9000/hooks/strata"}
/// ```
public struct ServiceMonitoring: Codable, Sendable, Hashable {
    /// How often the server profiles its feature log and computes drift.
    public var everyMicros: Int64
    /// The current window: logged lookups of the last `windowMicros` (default: `every`).
    public var windowMicros: Int64
    public var reference: ProfileSpec
    /// The service drifts when at least this share of its features drift (default 0.5).
    public var driftShare: Double
    /// Per feature (`view:feature`): a method name (`DriftMethod`'s raw values) and/or threshold.
    public var features: [String: FeatureMonitoring]
    /// Where alerts are POSTed as JSON: drift, and rejected or warned runs of the sources the service reads.
    public var webhook: String?

    public init(everyMicros: Int64, windowMicros: Int64? = nil, reference: ProfileSpec, driftShare: Double = 0.5,
                features: [String: FeatureMonitoring] = [:], webhook: String? = nil) {
        self.everyMicros = everyMicros
        self.windowMicros = windowMicros ?? everyMicros
        self.reference = reference
        self.driftShare = driftShare
        self.features = features
        self.webhook = webhook
    }

    /// The drift methods a feature may name (StrataQuality's `DriftMethod` raw values).
    public static let methodNames = ["ks", "chi_squared", "z_test", "wasserstein", "jensen_shannon", "psi", "l_infinity"]
}

/// A feature's own drift method and threshold in a `monitoring:` block.
public struct FeatureMonitoring: Codable, Sendable, Hashable {
    public var method: String?
    public var threshold: Double?

    public init(method: String? = nil, threshold: Double? = nil) {
        self.method = method
        self.threshold = threshold
    }
}
