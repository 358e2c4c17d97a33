import Foundation
import Hummingbird
import Logging

/// Bearer-token check (constant time) on every route but `/health`, errors turned into JSON answers, and request
/// metrics per route and status: every response, errors included, is counted.
struct GuardMiddleware: RouterMiddleware {
    typealias Context = StrataRequestContext
    let server: FeatureServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let path = request.uri.path
        let response: Response
        // `/ui` checks its own session cookie (Routes+UI.swift): a browser cannot send a bearer header.
        let isUI = path == "/ui" || path.hasPrefix("/ui/")
        if let token = server.configuration.token, path != "/health", !isUI, !Self.authorized(request.headers[.authorization], token: token) {
            response = ServerError(status: .unauthorized, code: "unauthorized", message: "send `Authorization: Bearer <token>`").response
        } else {
            do {
                response = try await next(request, context)
            } catch let error as HTTPError {
                response = ServerError(status: error.status, code: error.status == .notFound ? "no_such_route" : "http_error",
                                       message: error.status == .notFound ? "no route \(request.method) \(path); see /openapi.json" : "\(error.status)").response
            } catch let error as any HTTPResponseError {
                if error.status.code >= 500, error.status != .serviceUnavailable { server.logger.error("\(request.method) \(path) failed: \(String(reflecting: error))") }
                response = Self.answer(error, request, context, logger: server.logger)
            } catch {
                server.logger.error("\(request.method) \(path) failed: \(String(reflecting: error))")
                response = ServerError(status: .internalServerError, code: "internal", message: "internal error (see the server log)").response
            }
        }
        let route = Self.routeLabel(path)
        server.metrics.request(route: route, status: response.status.code, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        return response
    }

    static func answer(_ error: any HTTPResponseError, _ request: Request, _ context: Context, logger: Logger) -> Response {
        do {
            return try error.response(from: request, context: context)
        } catch {
            logger.error("could not render the error answer: \(error)")
            return ServerError(status: .internalServerError, code: "internal", message: "internal error (see the server log)").response
        }
    }

    /// Compares every byte whatever the first difference, so timing does not reveal the token.
    static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst(7)), expected = Array(token.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<max(given.count, expected.count) {
            difference |= (i < given.count ? given[i] : 0) ^ (i < expected.count ? expected[i] : 0)
        }
        return difference == 0
    }

    private static let knownRoutes: Set<String> = ["/health", "/ready", "/metrics", "/openapi.json", "/get-online-features", "/v1/features", "/push", "/v1/historical"]

    /// Known routes by name; anything else is "other", so metric labels stay bounded.
    static func routeLabel(_ path: String) -> String {
        if knownRoutes.contains(path) { return path }
        if path.hasPrefix("/v1/registry/objects") { return "/v1/registry/objects" }
        if path.hasPrefix("/v1/training-sets/") { return path.hasSuffix("/reproduce") ? "/v1/training-sets/reproduce" : "/v1/training-sets" }
        if path == "/ui" || path.hasPrefix("/ui/") { return "/ui" }
        return path.hasPrefix("/registry/") ? "/registry" : "other"
    }
}
