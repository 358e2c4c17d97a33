// The data-quality records in the UI, on the example project with real stores: expectation results per run (with a
// markup payload in an `in:` list, the user text that reaches an expectation's name), drift reports with their
// reference-vs-current histograms, the overview's latest verdicts, and the feature page's profile and drift status.
import Foundation
import Strata
import StrataCore
import StrataQuality
import StrataTestSupport
@testable import StrataUI
import Testing

@Suite struct QualityUITests {
    static let payload = WebUITests.payload

    /// The example project with the payload among the allowed cities, ingested, trained, and compared for drift.
    static func example() throws -> (TemporaryDirectory, FeatureStore, StoredDriftReport) {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        var text = try dir.read("featuresets/drivers.yaml")
        let quoted = "'" + payload.replacingOccurrences(of: "'", with: "''") + "'"
        text = text.replacingOccurrences(of: "city: {in: [Delhi, Lisbon, Porto, São Paulo, Zürich]}", with: "city: {in: [Delhi, Lisbon, Porto, São Paulo, Zürich, \(quoted)]}")
        try dir.write("featuresets/drivers.yaml", text)
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "ana", message: "first")
        _ = try store.ingest()
        _ = try store.historical(HistoricalRequest(spinePath: dir.file("featuresets/data/driver_spine.csv").path, features: .service("driver_activity"),
                                                   outputPath: dir.file("train.csv").path))
        let id = try #require(try store.trainingSetManifests().first?.id)
        let drift = try store.drift(service: "driver_activity", reference: .trainingSet(id), current: .source(since: nil, until: nil))
        return (dir, store, drift)
    }

    static func page(_ ui: WebUI, _ path: String, _ query: [String: String] = [:]) -> UIResponse {
        WebUITests.page(ui, path, query)
    }

    static func expectEscaped(_ body: String, _ what: String) {
        #expect(!body.contains("<script>alert"), "\(what) holds the payload unescaped")
        #expect(!body.contains("<img src=x"), "\(what) holds the payload unescaped")
    }

    @Test("the quality page lists every validation record with each expectation's observed value, threshold and verdict, escaped")
    func validationRecords() throws {
        let (_, store, _) = try Self.example()
        let body = Self.page(WebUI(store: store), "quality").body
        Self.expectEscaped(body, "quality")
        let records = try store.qualityRuns()
        #expect(!records.isEmpty)
        #expect(records.contains { !$0.results.isEmpty })
        for record in records {
            #expect(body.contains("<td>\(record.runID)</td>"))
            for result in record.results {
                let row = "<tr><td><code>\(HTML.escape(result.expectation))</code></td><td>\(HTML.escape(result.observed))</td>"
                    + "<td>\(HTML.escape(result.threshold))</td><td><span class=\"\(WebUI.verdictClass(result.verdict.rawValue))\">\(result.verdict.rawValue)</span></td></tr>"
                #expect(body.contains(row), "run \(record.runID) lacks \(result.expectation)")
            }
        }
        #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the payload in the expectation is shown, escaped")
    }

    @Test("drift reports are listed and each has a page with a histogram per charted feature and the verdicts")
    func driftReportPage() throws {
        let (_, store, drift) = try Self.example()
        let ui = WebUI(store: store)
        let quality = Self.page(ui, "quality").body
        #expect(quality.contains("href=\"/ui/quality/drift/\(drift.id)\""))
        let response = Self.page(ui, "quality/drift/\(drift.id)")
        #expect(response.status == 200)
        let body = response.body
        #expect(body.contains("id=\"drift-verdict\">\(drift.report.isDrifting ? "drift" : "stable")<"))
        for feature in drift.report.features {
            #expect(body.contains("id=\"\(DriftReportPage.anchor(feature.feature))\""))
            if let chart = feature.chart {
                // The same drawing as `strata drift --html`: one shared implementation.
                #expect(body.contains(SVGChart.histogram(chart, title: "\(feature.feature): share of values per \(chart.edges == nil ? "category" : "bin")")))
            }
        }
        #expect(drift.report.features.contains { $0.chart != nil })
        Self.expectEscaped(body, "drift report")
        for missing in ["quality/drift/999", "quality/drift/abc"] {
            #expect(Self.page(ui, missing).status == 404, "\(missing)")
        }
    }

    @Test("the overview shows each source's latest validation verdict and each service's last drift verdict")
    func overviewVerdicts() throws {
        let (_, store, drift) = try Self.example()
        let body = Self.page(WebUI(store: store), "").body
        let latest = try #require(try store.qualityRuns().first)
        #expect(body.contains("id=\"latest-validation\""))
        #expect(body.contains("<td>\(latest.runID)</td>") && body.contains(">\(latest.verdict.rawValue)</span>"))
        #expect(body.contains("href=\"/ui/quality/drift/\(drift.id)\""))
        Self.expectEscaped(body, "overview")
    }

    @Test("the feature page draws the latest stored profile and names its drift status")
    func featureProfileAndDrift() throws {
        let (_, store, drift) = try Self.example()
        let body = Self.page(WebUI(store: store), "feature/driver_stats/conv_rate").body
        #expect(body.contains("<div class=\"card\" id=\"profile\"><svg"))
        let result = try #require(drift.report.features.first { $0.feature == "driver_stats:conv_rate" })
        #expect(body.contains("id=\"drift-status\">Report <a href=\"/ui/quality/drift/\(drift.id)#"))
        #expect(body.contains(">\(result.verdict.rawValue)</span>"))
        let unprofiled = Self.page(WebUI(store: store), "feature/driver_stats/conv_x_acc").body
        #expect(unprofiled.contains("id=\"profile\""))
    }

    @Test("the profile histogram counts every non-null value of the run's column")
    func profileHistogramCounts() throws {
        let (_, store, _) = try Self.example()
        let chart = try #require(try WebUI(store: store).latestProfileChart(view: "driver_stats", feature: "rating", source: "driver_stats_source"))
        let run = try #require(try store.qualityRuns(source: "driver_stats_source").first)
        let profile = try store.profile(of: .run(run.runID))
        let column = try #require(profile.columns.first { $0.name == "driver_stats:rating" })
        #expect(chart["count"] as? Int64 == column.valueCount)
        let summary = ColumnSummary(column, topCount: WebUI.categoriesShown, bins: WebUI.histogramBins)
        #expect(summary.histogram.map { $0.counts.reduce(0, +) } == Double(column.valueCount))
    }
}
