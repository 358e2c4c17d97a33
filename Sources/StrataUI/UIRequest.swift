/// One UI request, already authorised: the path below `/ui` split into decoded segments, and the query.
public struct UIRequest: Sendable {
    /// `/ui/registry/feature_view/driver_stats` → `["registry", "feature_view", "driver_stats"]`.
    public var segments: [String]
    /// Query parameters (the last value wins).
    public var query: [String: String]
    /// Whether the server has a token (the page then offers "Sign out").
    public var showsSignOut: Bool

    public init(segments: [String], query: [String: String], showsSignOut: Bool = false) {
        self.segments = segments
        self.query = query
        self.showsSignOut = showsSignOut
    }

    /// A positive page number from `?page=`, 1 when absent or malformed.
    func page(_ name: String = "page") -> Int { query[name].flatMap(Int.init).map { max(1, $0) } ?? 1 }

    /// A query value, nil when absent or empty.
    func value(_ name: String) -> String? { query[name].flatMap { $0.isEmpty ? nil : $0 } }
}

/// What a UI route answers: a status, a content type and the body.
public struct UIResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String
    /// Static assets may be cached; pages never are (they show live state).
    public var isCacheable: Bool
    /// The failure behind an error page, for the server's log (its `debugDescription`); never shown on the page.
    public var failure: (any Error)?

    init(status: Int = 200, contentType: String = "text/html; charset=utf-8", body: String, isCacheable: Bool = false) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.isCacheable = isCacheable
    }
}

/// A problem a page reports to the user: a status, what went wrong and how to fix it.
struct UIProblem: Error {
    var status: Int
    var heading: String
    var message: String
    var fix: String?

    static func notFound(_ message: String, fix: String? = nil) -> UIProblem { UIProblem(status: 404, heading: "Not found", message: message, fix: fix) }
}
