import HTTPTypes
import Hummingbird
import NIOCore
import StrataCore
import StrataUI

/// The web UI under `/ui`: pages rendered by `StrataUI` on the blocking pool, the login form when the server has a
/// token, and the security headers on every answer. `GuardMiddleware` lets `/ui` through without a bearer header
/// because browsers cannot send one; these routes check the session cookie instead.
extension FeatureServer {
    static let sessionCookie = "strata_ui"
    /// No inline script or style, nothing from another origin, no framing: the UI's assets are all same-origin.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func addUIRoutes(to router: Router<StrataRequestContext>) {
        let ui = WebUI(store: store)
        let throttle = LoginThrottle(), started = ContinuousClock.now
        let seconds: @Sendable () -> Double = {
            let elapsed = started.duration(to: .now).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        }
        router.get("ui/login") { [self] request, _ in
            if isSignedIn(request) { return Self.redirect(to: "/ui") }
            return Self.html(ui.loginPage(next: Self.safeNext(try UIForm.decode(request.uri.query ?? "")["next"]), error: nil), status: .ok)
        }
        router.post("ui/login") { [self] request, context in
            let form = try UIForm.decode(try await formBody(request, context))
            let next = Self.safeNext(form["next"])
            guard let token = configuration.token else { return Self.redirect(to: next) }
            let client = context.channel.remoteAddress?.ipAddress ?? "unknown"
            if let wait = throttle.retryAfter(client: client, now: seconds()) {
                var response = Self.html(ui.loginPage(next: next, error: "Too many wrong tokens from this address: try again in \(wait) s."),
                                         status: .tooManyRequests)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            guard GuardMiddleware.authorized("Bearer " + (form["token"] ?? ""), token: token) else {
                throttle.recordFailure(client: client, now: seconds())
                return Self.html(ui.loginPage(next: next, error: "That token is not this server's token."), status: .unauthorized)
            }
            throttle.recordSuccess(client: client)
            var response = Self.redirect(to: next)
            response.headers[.setCookie] = "\(Self.sessionCookie)=\(Self.sessionValue(token)); Path=/ui; HttpOnly; SameSite=Strict"
            return response
        }
        router.get("ui/logout") { _, _ in
            var response = Self.redirect(to: "/ui/login")
            response.headers[.setCookie] = "\(Self.sessionCookie)=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0"
            return response
        }
        let page: @Sendable (Request, StrataRequestContext) async throws -> Response = { [self] request, _ in
            let segments = request.uri.path.split(separator: "/").dropFirst().map { UIForm.percentDecode(String($0)) }
            let isStatic = segments.first == "static"
            if configuration.token != nil, !isStatic, !isSignedIn(request) {
                let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Self.redirect(to: "/ui/login?next=" + UIForm.percentEncode(target))
            }
            let uiRequest = UIRequest(segments: segments, query: try UIForm.decode(request.uri.query ?? ""), showsSignOut: configuration.token != nil)
            let answer = try await blockingPool.runIfActive { ui.respond(to: uiRequest) }
            if let failure = answer.failure { logger.error("GET \(request.uri.path) failed: \(String(reflecting: failure))") }
            var buffer = ByteBuffer()
            buffer.writeString(answer.body)
            var response = Response(status: .init(code: answer.status), headers: [.contentType: answer.contentType], body: .init(byteBuffer: buffer))
            Self.addSecurityHeaders(&response, cacheable: answer.isCacheable)
            return response
        }
        router.get("ui", use: page)
        router.get("ui/**", use: page)
        // HEAD answers as GET would (status and headers, the length of the page) without the body.
        let head: @Sendable (Request, StrataRequestContext) async throws -> Response = { request, context in
            var response = try await page(request, context)
            if let length = response.body.contentLength { response.headers[.contentLength] = String(length) }
            response.body = .init()
            return response
        }
        router.head("ui", use: head)
        router.head("ui/**", use: head)
        router.head("ui/login") { [self] request, _ in
            if isSignedIn(request) { return Self.redirect(to: "/ui") }
            var response = Self.html(ui.loginPage(next: "/ui", error: nil), status: .ok)
            response.body = .init()
            return response
        }
    }

    /// True when the server has no token, or the request carries the session cookie made from it.
    func isSignedIn(_ request: Request) -> Bool {
        guard let token = configuration.token else { return true }
        guard let value = request.cookies[Self.sessionCookie]?.value else { return false }
        return GuardMiddleware.authorized("Bearer " + value, token: Self.sessionValue(token))
    }

    /// The cookie holds a hash of the token, not the token: a leaked cookie does not reveal the API's bearer token.
    static func sessionValue(_ token: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(("strata-ui-session|" + token).utf8))
        return hasher.finalizeHex()
    }

    /// Only a path inside the UI may be the target after signing in, so the form cannot redirect elsewhere.
    static func safeNext(_ next: String?) -> String {
        guard let next, next == "/ui" || next.hasPrefix("/ui/") || next.hasPrefix("/ui?"), !next.contains("//"), !next.contains("\\") else { return "/ui" }
        return next
    }

    static func redirect(to location: String) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        addSecurityHeaders(&response, cacheable: false)
        return response
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: buffer))
        addSecurityHeaders(&response, cacheable: false)
        return response
    }

    static func addSecurityHeaders(_ response: inout Response, cacheable: Bool) {
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = cacheable ? "max-age=300" : "no-store"
    }

    /// The login form's body (small: a token and a path), as text.
    func formBody(_ request: Request, _ context: StrataRequestContext) async throws -> String {
        let buffer = try await request.body.collect(upTo: 16 << 10)
        return String(buffer: buffer)
    }
}

/// `application/x-www-form-urlencoded` and query strings: `+` is a space, `%XX` a byte; the last value of a name wins.
enum UIForm {
    /// A form body or query string as field → value, read by Hummingbird's `URLEncodedFormDecoder` (`+` is a space,
    /// `%XX` a byte of UTF-8).
    /// - Throws: `ServerError.badRequest` for what a browser never sends: malformed escapes, a field given twice.
    static func decode(_ text: String) throws -> [String: String] {
        guard !text.isEmpty else { return [:] }
        do {
            return try URLEncodedFormDecoder().decode([String: String].self, from: text)
        } catch {
            throw ServerError.badRequest("the form or query string cannot be read: a malformed %-escape, or a field given twice", code: "bad_form")
        }
    }

    /// Decodes `%XX` escapes in a path segment; malformed escapes stay as written, and invalid UTF-8 becomes U+FFFD.
    static func percentDecode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let byte = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(byte)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "-_.~/".utf8.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
