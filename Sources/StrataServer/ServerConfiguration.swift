/// How `strata serve` listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// When set, every route but `/health` needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Larger request bodies get 413 (and the connection is closed).
    public var bodyBytesMax: Int
    /// A body over the limit is read and dropped up to this size, so the client gets its 413; past it the input is closed.
    public var drainBytesMax: Int
    /// More entity rows in one request get 400.
    public var entitiesMax: Int
    /// Feature-log records buffered before new ones are dropped (and counted).
    public var logQueueCapacity: Int
    /// Pushes running at once; more get 503 with `Retry-After`.
    public var pushesInFlightMax: Int
    /// Largest Arrow IPC or Parquet spine body of `POST /v1/historical`, in bytes (JSON spines keep `bodyBytesMax`);
    /// larger gets 413 and the connection is closed.
    public var spineBytesMax: Int
    /// Most spine rows one `POST /v1/historical` accepts; more get 413.
    public var spineRowsMax: Int
    /// Training sets built or streamed at once (`/v1/historical`, `/reproduce`); more get 503 with `Retry-After`.
    public var historicalInFlightMax: Int
    /// Fault injection for crash tests: a push kills the process after its offline commit.
    package var crashesBeforeOnlinePush = false
    /// How often drift monitoring checks for due comparisons and new failed runs (tests shorten it).
    package var monitorPollInterval: Duration = .seconds(1)
    /// How often the feature log and the quarantine are pruned to their retention (tests shorten it).
    package var retentionInterval: Duration = .seconds(3600)
    /// The pause before retrying a failed alert; it doubles after each attempt.
    package var alertRetryPause: Duration = .milliseconds(500)

    public init(host: String = "127.0.0.1", port: Int = 6566, token: String? = nil, bodyBytesMax: Int = 1 << 20, drainBytesMax: Int = 64 << 20,
                entitiesMax: Int = 1000, logQueueCapacity: Int = 100_000, pushesInFlightMax: Int = 4,
                spineBytesMax: Int = 256 << 20, spineRowsMax: Int = 2_000_000, historicalInFlightMax: Int = 2) {
        self.host = host
        self.port = port
        self.token = token
        self.bodyBytesMax = bodyBytesMax
        self.drainBytesMax = drainBytesMax
        self.entitiesMax = entitiesMax
        self.logQueueCapacity = logQueueCapacity
        self.pushesInFlightMax = max(1, pushesInFlightMax)
        self.spineBytesMax = spineBytesMax
        self.spineRowsMax = spineRowsMax
        self.historicalInFlightMax = max(1, historicalInFlightMax)
    }
}
