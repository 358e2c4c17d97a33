import Hummingbird

/// An error answered to the client as `{"error": {"code", "message"}}` with a 4xx status.
/// Anything else becomes a bare 500 and the details go to the log (Hummingbird's rule).
struct ServerError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String

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
        return json.response(status: status)
    }
}
