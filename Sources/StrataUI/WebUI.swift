public import Strata
import StrataCheck
import StrataCore
import StrataQuality
import StrataRegistry
import Synchronization

/// The web UI's pages, rendered on the server from built-in templates; the HTTP layer (`StrataServer`) mounts it
/// under `/ui`, checks the token cookie and adds the security headers. Every call does blocking SQLite/LMDB reads,
/// so the server runs it on its blocking pool.
///
/// ```swift
/// let ui = WebUI(store: store)
/// let response = ui.respond(to: UIRequest(segments: ["registry"], query: ["q": "driver"]))
/// ```
public final class WebUI: Sendable {
    let store: FeatureStore
    let renderer = Renderer()
    let caches = Mutex(Caches())

    struct Caches {
        var registry: RegistryIndex?
        var runs: RunIndex?
        var newestEvent: [String: (stamp: String, micros: Int64?, keys: Int)] = [:]
        /// Rendered registry listings, search results, object and diff pages, valid while `pageStamp` holds: they depend only on the registry and the
        /// recorded training sets and reports. A view with 200 versions took ~20 ms to render; a hit takes well under 1.
        var pages: [String: Page] = [:]
        /// Online value histograms by `view:feature`, valid for one materialization watermark.
        var histograms: [String: (stamp: String, svg: String?)] = [:]
        var pageStamp = ""
        /// Decoded run profiles by run id, and feature-page profile charts by `run/view:feature` (nil: no chart).
        var profiles: [Int64: DatasetProfile] = [:]
        var profileCharts: [String: ProfileChart?] = [:]
    }

    /// Rendered pages kept at most; past it the cache starts over (keys are client input).
    static let cachedPagesMax = 256

    public init(store: FeatureStore) {
        self.store = store
    }

    /// Renders the page for `request`; problems become an error page with their status, never a thrown error.
    public func respond(to request: UIRequest) -> UIResponse {
        let segments = request.segments
        if segments.first == "static", segments.count == 2 {
            switch segments[1] {
            case "app.css": return UIResponse(contentType: "text/css; charset=utf-8", body: Stylesheet.css, isCacheable: true)
            case "app.js": return UIResponse(contentType: "text/javascript; charset=utf-8", body: Script.javascript, isCacheable: true)
            default: break
            }
        }
        do {
            if segments == ["search.json"] { return try searchJSON(request) }
            return frame(try page(for: request), request: request)
        } catch let problem as UIProblem {
            return problemPage(problem, request: request)
        } catch let error as RegistryError {
            switch error {
            case .unknownObject, .unknownVersion, .ambiguousName:
                return problemPage(UIProblem(status: 404, heading: "Not found", message: error.what, fix: error.fix), request: request)
            default:
                var response = problemPage(UIProblem(status: 500, heading: "The registry cannot be read", message: error.what, fix: error.fix), request: request)
                response.failure = error
                return response
            }
        } catch {
            // A Strata error says what and how to fix it; anything else is a defect whose details belong in the log only.
            let strataError = error as? any StrataError
            var response = problemPage(UIProblem(status: 500, heading: "Something went wrong", message: strataError?.what ?? "An internal error (see the server log).",
                                                 fix: strataError?.fix), request: request)
            response.failure = error
            return response
        }
    }

    /// The login page; `error` explains a refused token.
    public func loginPage(next: String, error: String?) -> String {
        renderer.render("login", ["next": next, "error": Self.optional(error)])
    }

    private func page(for request: UIRequest) throws -> Page {
        let s = request.segments
        switch (s.first ?? "", s.count) {
        case ("", _) where s.count <= 1: return try overviewPage(request)
        // Listings and search results depend only on the registry too: rendered once per query and revision (a results
        // page of 1,000 matches took ~3.5 ms p50 to render; on the shared 2-core machine one request in fifty then
        // lost a scheduler slice or more, which made its p99 ~16–24 ms).
        case ("registry", 1): return try cachedPage(request) { try registryPage(request) }
        case ("registry", 3): return try cachedPage(request) { try objectPage(kindText: s[1], name: s[2], request: request) }
        case ("registry", 4) where s[3] == "diff": return try cachedPage(request) { try diffPage(kindText: s[1], name: s[2], request: request) }
        case ("feature", 3): return try featurePage(view: s[1], feature: s[2])
        case ("training-sets", 1): return try trainingSetsPage(request)
        case ("training-sets", 2): return try trainingSetPage(id: s[1])
        case ("quality", 1): return try qualityPage(request)
        case ("quality", 3) where s[1] == "drift": return try driftReportPage(id: s[2])
        case ("parity", 1): return try parityListPage()
        case ("parity", 2): return try parityReportPage(id: s[1])
        case ("parity", 4) where s[2] == "examples": return try exampleLineagePage(reportID: s[1], number: s[3])
        case ("lookup", 1): return try lookupPage(request)
        default: throw UIProblem.notFound("There is no page at /ui/\(s.joined(separator: "/")).", fix: "use the links in the bar above")
        }
    }

    /// A page that depends only on the registry revision and the recorded runs, rendered once per state.
    private func cachedPage(_ request: UIRequest, render: () throws -> Page) throws -> Page {
        let counts = try store.recordCounts()
        let stamp = "\(try store.registryRevision())/\(counts.trainingSets)/\(counts.checkReports)"
        let key = request.segments.joined(separator: "/") + "?" + request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        if let page = caches.withLock({ $0.pageStamp == stamp ? $0.pages[key] : nil }) { return page }
        let page = try render()
        caches.withLock { caches in
            if caches.pageStamp != stamp || caches.pages.count >= Self.cachedPagesMax {
                caches.pages.removeAll()
                caches.pageStamp = stamp
            }
            caches.pages[key] = page
        }
        return page
    }

    private func frame(_ page: Page, request: UIRequest) -> UIResponse {
        let nav: [[String: Any]] = Section.allCases.map { ["href": $0.href, "label": $0.label, "active": $0 == page.section] }
        let html = renderer.render("layout", ["title": page.title, "nav": nav, "body": page.body, "page": page.id,
                                              "query": request.query["q"] ?? "", "signedIn": request.showsSignOut])
        return UIResponse(body: html)
    }

    private func problemPage(_ problem: UIProblem, request: UIRequest) -> UIResponse {
        let body = renderer.render("error", ["heading": problem.heading, "message": problem.message, "fix": Self.optional(problem.fix)])
        var response = frame(Page(title: problem.heading, section: .overview, id: "error", body: body), request: request)
        response.status = problem.status
        return response
    }

    /// A template value for an optional string: absent is `false`, because swift-mustache renders a boxed nil as
    /// "nil" and treats it (and "") as true in sections.
    static func optional(_ text: String?) -> Any { text ?? false }

    // MARK: Caches

    /// The registry index of the current revision, rebuilt when the revision moves.
    func registryIndex() throws -> RegistryIndex {
        let revision = try store.registryRevision()
        if let cached = caches.withLock({ $0.registry }), cached.revision == revision { return cached }
        let index = try RegistryIndex(store: store)
        caches.withLock { caches in
            if caches.registry.map({ $0.revision <= index.revision }) ?? true { caches.registry = index }
        }
        return index
    }

    /// Decoded training-set manifests and check reports, rebuilt when a new one is recorded.
    func runIndex() throws -> RunIndex {
        let counts = try store.recordCounts()
        if let cached = caches.withLock({ $0.runs }), cached.trainingSetCount == counts.trainingSets, cached.checkReportCount == counts.checkReports {
            return cached
        }
        let index = try RunIndex(store: store)
        caches.withLock { $0.runs = index }
        return index
    }
}
