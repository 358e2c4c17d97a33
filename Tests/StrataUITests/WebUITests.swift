// The UI's pages rendered through the library on the example project (real SQLite and LMDB stores, no HTTP): every page
// answers 200 with its key element, user text is escaped everywhere, search agrees with a brute-force filter.
// (The same pages in a real browser, with auth and CSP, run in python/tests/test_ui.py.)
import Foundation
import Strata
import StrataCore
import StrataTestSupport
@testable import StrataUI
import Testing

@Suite struct WebUITests {
    static let payload = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>"

    /// The example project, ingested and trained, with the payload in a feature description and a tag (two versions).
    static func example() throws -> (TemporaryDirectory, FeatureStore) {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "ana", message: "first")
        _ = try store.ingest()
        _ = try store.historical(HistoricalRequest(spinePath: dir.file("featuresets/data/driver_spine.csv").path, features: .service("driver_activity"),
                                                   outputPath: dir.file("train.csv").path))
        var text = try dir.read("featuresets/drivers.yaml")
        let quoted = "'" + payload.replacingOccurrences(of: "'", with: "''") + "'"
        text = text.replacingOccurrences(of: "description: Conversion times acceptance, a rough reliability score.", with: "description: \(quoted)")
        text = text.replacingOccurrences(of: "tags: [core, hourly]", with: "tags: [core, hourly, \(quoted)]")
        try dir.write("featuresets/drivers.yaml", text)
        try store.apply(try store.plan(), author: "eve", message: "markup")
        return (dir, store)
    }

    static func page(_ ui: WebUI, _ path: String, _ query: [String: String] = [:]) -> UIResponse {
        ui.respond(to: UIRequest(segments: path.split(separator: "/").map(String.init), query: query))
    }

    @Test("every page answers 200 with its key element and never contains user markup unescaped")
    func everyPageRendersEscaped() throws {
        let (_, store) = try Self.example()
        let ui = WebUI(store: store)
        let id = try #require(try store.trainingSetManifests().first?.id)
        let pages: [(String, [String: String], String)] = [
            ("", [:], "id=\"counts\""), ("registry", [:], "id=\"objects\""), ("registry", ["q": "conv"], "driver_stats:conv_x_acc"),
            ("registry/feature_view/driver_stats", [:], "id=\"history\""), ("registry/feature_view/driver_stats/diff", ["from": "1", "to": "2"], "id=\"diff\""),
            ("feature/driver_stats/conv_x_acc", [:], "id=\"feature-facts\""), ("training-sets", [:], id), ("training-sets/\(id)", [:], "<svg"),
            ("quality", [:], "id=\"quarantine\""), ("parity", [:], "id=\"reports\""),
            ("lookup", ["service": "driver_activity", "key.driver_id": "1001"], "id=\"lookup-result\""),
        ]
        for (path, query, marker) in pages {
            let response = Self.page(ui, path, query)
            #expect(response.status == 200, "\(path): \(response.body)")
            #expect(response.body.contains(marker), "\(path) lacks \(marker)")
            #expect(!response.body.contains("<script>alert"), "\(path) holds the payload unescaped")
            #expect(!response.body.contains("<img src=x"), "\(path) holds the payload unescaped")
        }
        let view = Self.page(ui, "registry/feature_view/driver_stats").body
        #expect(view.contains(HTML.escape("\"><img src=x onerror=alert(2)>")))
    }

    @Test("unknown pages, objects, versions and training sets are 404 pages naming what is missing")
    func unknownThingsAre404() throws {
        let (_, store) = try Self.example()
        let ui = WebUI(store: store)
        let cases: [(String, [String: String])] = [
            ("nope", [:]), ("registry/feature_view/missing", [:]), ("registry/feature_view/driver_stats", ["version": "99"]),
            ("training-sets/ts-missing", [:]), ("registry/bogus/x", [:]), ("feature/driver_stats/nope", [:]), ("lookup", ["service": "nope"]),
        ]
        for (path, query) in cases {
            let response = Self.page(ui, path, query)
            #expect(response.status == 404, "\(path) answered \(response.status)")
            #expect(response.body.contains("id=\"ui-error\""))
        }
    }

    @Test("a cached object page is rendered again after an apply and after a new training set")
    func cachedPagesFollowTheRegistry() throws {
        let (dir, store) = try Self.example()
        let ui = WebUI(store: store)
        let before = Self.page(ui, "registry/feature_view/driver_stats").body
        #expect(before.contains("v2") && !before.contains(">v3<"))
        try dir.write("featuresets/drivers.yaml", try dir.read("featuresets/drivers.yaml").replacingOccurrences(of: "ttl: 2h", with: "ttl: 3h"))
        try store.apply(try store.plan(), author: "bo", message: "longer ttl", allowsBreakingChanges: true)
        let after = Self.page(ui, "registry/feature_view/driver_stats").body
        #expect(after.contains(">v3<") && after.contains("longer ttl"))
        let setsBefore = after.components(separatedBy: "training set <a").count
        _ = try store.historical(HistoricalRequest(spinePath: dir.file("featuresets/data/driver_spine.csv").path, features: .service("driver_activity"),
                                                   outputPath: dir.file("again.csv").path))
        #expect(Self.page(ui, "registry/feature_view/driver_stats").body.components(separatedBy: "training set <a").count == setsBefore + 1)
    }

    @Test("a non-integer key in the lookup form is explained on the page, not thrown")
    func badLookupKey() throws {
        let (_, store) = try Self.example()
        let response = Self.page(WebUI(store: store), "lookup", ["service": "driver_activity", "key.driver_id": "abc"])
        #expect(response.status == 200)
        #expect(response.body.contains("must be an int64"))
    }

    @Test("search finds exactly what a brute-force filter over names, owners, tags, descriptions and feature names finds")
    func searchMatchesBruteForce() throws {
        let (_, store) = try Self.example()
        let index = try RegistryIndex(store: store)
        let d = try store.appliedProject().compiled.definitions
        for needle in ["driver", "CONV", "mobility", "hourly", "<script>", "trips", "zzz", "a"] {
            var expected: [String] = []
            func add(_ name: String, _ fields: [String?]) {
                if fields.compactMap({ $0 }).contains(where: { $0.lowercased().contains(needle.lowercased()) }) { expected.append(name) }
            }
            for e in d.entities { add(e.name, [e.name, e.owner, e.description] + e.tags) }
            for s in d.sources { add(s.name, [s.name, s.owner, s.description] + s.tags) }
            for v in d.views {
                add(v.name, [v.name, v.owner, v.description] + v.tags)
                for f in v.features { add("\(v.name):\(f.name)", [f.name, f.description]) }
                for a in v.aggregations { add("\(v.name):\(a.name)", [a.name, a.description]) }
            }
            for s in d.services { add(s.name, [s.name, s.owner, s.description] + s.tags) }
            #expect(index.search(needle, limit: Int.max).map(\.label).sorted() == expected.sorted(), "search `\(needle)`")
        }
    }

    @Test("byte substring search agrees with String.contains on random strings")
    func byteSearchOracle() {
        let seed = propertyTestSeed("ui byte search")
        var generator = SeededGenerator(seed: seed)
        let alphabet: [Character] = ["a", "b", "c"]
        for _ in 0..<2000 {
            let hay = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet[Int.random(in: 0..<3, using: &generator)] })
            let needle = String((0..<Int.random(in: 0...4, using: &generator)).map { _ in alphabet[Int.random(in: 0..<3, using: &generator)] })
            #expect(RegistryIndex.contains(Array(hay.utf8), Array(needle.utf8)) == (needle.isEmpty || hay.contains(needle)), "seed \(seed): \(hay) / \(needle)")
        }
    }

    @Test("histogram bars count every value once: numbers in ten equal bins (the maximum in the last), nulls apart, top text values")
    func histogramBars() {
        var generator = SeededGenerator(seed: propertyTestSeed("ui histogram"))
        let numbers = (0..<500).map { _ in Double(Int.random(in: -50...250, using: &generator)) / 4 }
        let values = numbers.map { Value.float($0) } + Array(repeating: Value.null, count: 7)
        let bars = WebUI.histogramBars(values)
        #expect(bars.count == 11 && bars.last?.label == "null" && bars.last?.value == 7)
        #expect(bars.reduce(0) { $0 + $1.value } == Double(values.count))
        let low = numbers.min() ?? 0, width = ((numbers.max() ?? 0) - low) / 10
        for (i, bar) in bars.dropLast().enumerated() {
            let expected = numbers.filter { min(9, Int(($0 - low) / width)) == i }.count
            #expect(bar.value == Double(expected), "bin \(i)")
        }
        let texts = (0..<30).map { Value.string("c\($0 % 12)") }
        let textBars = WebUI.histogramBars(texts)
        #expect(textBars.count == 11 && textBars.reduce(0) { $0 + $1.value } == 30 && textBars.last?.label == "2 other values")
        #expect(WebUI.histogramBars([.null, .null]).isEmpty && WebUI.histogramBars([.int(3), .int(3)]).map(\.value) == [2])
    }

    @Test("the pager's pages partition the list in order", arguments: [0, 1, 99, 100, 101, 250])
    func pagerPartitions(count: Int) {
        let items = Array(0..<count)
        var seen: [Int] = []
        let pages = Pager(page: 1, perPage: 100, total: count) { "/p?\($0)" }.pageCount
        for page in 1...pages { seen += Pager(page: page, perPage: 100, total: count) { "/p?\($0)" }.slice(items) }
        #expect(seen == items)
    }

    @Test("escaping covers the five HTML-significant characters and leaves the rest alone")
    func escaping() {
        #expect(HTML.escape("<a href=\"x\">'&'</a> é") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; é")
        #expect(HTML.urlComponent("a b/ü") == "a%20b%2F%C3%BC")
    }
}
