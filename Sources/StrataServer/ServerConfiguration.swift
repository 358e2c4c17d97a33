/// How `strata serve` listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// When set, every route but `/health` needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Larger request bodies get 413.
    public var bodyBytesMax: Int
    /// More entity rows in one request get 400.
    public var entitiesMax: Int
    /// Feature-log records buffered before new ones are dropped (and counted).
    public var logQueueCapacity: Int

    public init(host: String = "127.0.0.1", port: Int = 6566, token: String? = nil, bodyBytesMax: Int = 1 << 20,
                entitiesMax: Int = 1000, logQueueCapacity: Int = 100_000) {
        self.host = host
        self.port = port
        self.token = token
        self.bodyBytesMax = bodyBytesMax
        self.entitiesMax = entitiesMax
        self.logQueueCapacity = logQueueCapacity
    }
}
