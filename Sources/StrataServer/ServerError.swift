import Hummingbird

/// An error answered to the client as `{"error": {"code", "message"}}`.
/// Errors that are neither this nor a store error become a bare 500, and the details go to the log (Hummingbird's rule).
struct ServerError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Sends `Connection: close` (the request's body was not read in full).
    var closesConnection = false
    /// Seconds after which a retry may succeed (`Retry-After`).
    var retryAfterSeconds: Int?

    static func badRequest(_ message: String, code: String = "bad_request") -> ServerError { .init(status: .badRequest, code: code, message: message) }
    static func notFound(_ message: String, code: String = "not_found") -> ServerError { .init(status: .notFound, code: code, message: message) }

    var response: Response {
        var json = JSONWriter()
        json.object { o in
            o.key("error")
            o.object { e in
                e.key("code"); e.string(code)
                e.key("message"); e.string(message)
            }
        }
        var response = json.response(status: status)
        if closesConnection { response.headers[.connection] = "close" }
        if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
        return response
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}
