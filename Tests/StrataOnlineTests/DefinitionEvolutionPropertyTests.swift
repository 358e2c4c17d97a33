// Definitions evolve without losing data (issue 21): random sequences of edits (metadata only, a new feature, a changed
// expression, a new nullable source column, a changed window, a new view on the source) interleaved with ingests of
// files that are deleted right after, and pushes. After every apply the training set equals a from-scratch build of
// the current definitions over every row ever accepted; after materialize, online equals offline.
import Foundation
import StrataCore
import StrataOffline
@testable import Strata
import StrataTestSupport
import Testing

@Suite struct DefinitionEvolutionPropertyTests {
    static let minute: Int64 = 60_000_000
    static let base: Int64 = 1_772_366_400_000_000

    /// The definitions under test, rendered to YAML.
    struct Model {
        var description = "v0"
        var ttl = "2h"
        var threshold = 1000
        var extraColumns: [String] = []
        /// Derived features of `stats`: name → expression (the raw features `a`, `b`, `s` are always there).
        var derived: [(String, String)] = [("a2", "a * 2")]
        var windows = ["1h", "6h"]
        var extraViews = 0

        var yaml: String {
            let columns = (["user_id: int64", "a: float64", "b: int64", "s: string"] + extraColumns.map { "\($0): int64" }).joined(separator: ", ")
            var text = """
            entities:
              - name: user
                join_keys: {user_id: int64}
            sources:
              - name: events
                path: events.csv
                timestamp: ts
                created: created
                schema: {\(columns)}
                expectations:
                  columns:
                    b: {between: [0, \(threshold)]}
            feature_views:
              - name: stats
                entities: [user]
                source: events
                ttl: \(ttl)
                description: \(description)
                features:
                  a: float64
                  b: int64
                  s: string

            """
            for (name, expression) in derived {
                text += "      \(name): {type: float64, expr: \"\(expression)\"}\n"
            }
            text += """
              - name: acts
                entities: [user]
                source: events
                aggregations:

            """
            for (i, window) in windows.enumerated() {
                text += "      n_\(i): {function: count, window: \(window)}\n      sum_\(i): {function: sum, column: b, window: \(window)}\n"
            }
            for k in 0..<extraViews {
                text += """
                  - name: extra\(k)
                    entities: [user]
                    source: events
                    features:
                      bx: {type: int64, expr: "b + \(k)"}

                """
            }
            return text
        }

        var views: [String] { ["stats", "acts"] + (0..<extraViews).map { "extra\($0)" } }
    }

    /// One accepted source row, by column name (`nil` is null).
    typealias Row = [String: String?]

    static func randomRow(_ rng: inout SeededGenerator, _ model: Model, step: Int) -> Row {
        let ts = base + Int64(step) * 30 * minute + Int64.random(in: 0...600, using: &rng) * minute
        var row: Row = ["user_id": String(Int.random(in: 1...5, using: &rng)), "ts": Timestamp.format(ts),
                        "created": Timestamp.format(ts + Int64.random(in: 0...40, using: &rng) * minute),
                        "a": Bool.random(using: &rng) ? String(Double(Int.random(in: 0...400, using: &rng)) / 4) : nil,
                        "b": String(Int.random(in: 0...50, using: &rng)), "s": ["x", "y", nil].randomElement(using: &rng) ?? nil]
        for column in model.extraColumns { row[column] = Bool.random(using: &rng) ? String(Int.random(in: -9...9, using: &rng)) : nil }
        return row
    }

    static func csv(_ rows: [Row], _ model: Model) -> String {
        let columns = ["user_id", "ts", "created", "a", "b", "s"] + model.extraColumns
        return ([columns.joined(separator: ",")] + rows.map { row in columns.map { (row[$0] ?? nil) ?? "" }.joined(separator: ",") }).joined(separator: "\n") + "\n"
    }

    static func pushed(_ rows: [Row], _ model: Model) -> PushedRows {
        let columns = ["user_id", "ts", "created", "a", "b", "s"] + model.extraColumns
        return PushedRows(columns: columns, rows: rows.map { row in
            columns.map { column -> JSONScalar in
                guard let value = row[column] ?? nil else { return .null }
                switch column {
                case "user_id", "b": return .int(Int64(value) ?? 0)
                case "a": return .double(Double(value) ?? 0)
                default: return model.extraColumns.contains(column) ? .int(Int64(value) ?? 0) : .string(value)
                }
            }
        })
    }

    /// The training set of every feature of every view, with statuses, for a fixed spine.
    static func trainingSet(_ store: FeatureStore, _ model: Model, spine: URL, out: URL) throws -> String {
        let references = model.views.map { FeatureReference(view: $0, feature: nil) }
        _ = try store.historical(HistoricalRequest(spinePath: spine.path, features: .references(references), includesStatus: true, outputPath: out.path))
        return try String(contentsOf: out, encoding: .utf8)
    }

    @Test("after every apply the training set equals a from-scratch build over every accepted row; after materialize online equals offline")
    func evolution() throws {
        let seed = propertyTestSeed("definition evolution")
        var rng = SeededGenerator(seed: seed)
        for caseIndex in 0..<8 {
            let dir = TemporaryDirectory()
            var model = Model()
            var accepted: [Row] = []
            try dir.write("featuresets/defs.yaml", model.yaml)
            let store = try FeatureStore(projectPath: dir.path)
            try store.apply(try store.plan(), author: "test", message: nil)
            let spine = (0..<30).map { _ in "\(Int.random(in: 1...6, using: &rng)),\(Timestamp.format(Self.base + Int64.random(in: -60...3000, using: &rng) * Self.minute))" }
            try dir.write("spine.csv", "user_id,event_timestamp\n" + spine.joined(separator: "\n") + "\n")
            var history: [String] = []
            // Materialization ends only move forward: online keeps the better row it holds, so an earlier end is not a fresh view.
            var lastEnd = Self.base
            for step in 0..<9 {
                // Rows arrive: a file, ingested and deleted (source files may be gone later), or a push.
                let batch = (0..<Int.random(in: 3...12, using: &rng)).map { _ in Self.randomRow(&rng, model, step: step) }
                if Bool.random(using: &rng) {
                    try dir.write("events.csv", Self.csv(batch, model))
                    #expect(try store.ingest().map(\.rowsAccepted) == [batch.count])
                    try FileManager.default.removeItem(at: dir.file("events.csv"))
                } else {
                    let report = try store.push(source: "events", rows: Self.pushed(batch, model), requestID: "c\(caseIndex)s\(step)")
                    #expect(report.offline.rowsAccepted == batch.count, "\(report.offline.quarantineSample)")
                }
                accepted += batch
                let edit = Self.edit(&model, &rng, step: step)
                history.append(edit)
                try dir.write("featuresets/defs.yaml", model.yaml)
                try store.apply(try store.plan(), author: "test", message: edit, allowsBreakingChanges: true)
                let context = "seed \(seed) case \(caseIndex) after \(history.joined(separator: ", "))"
                let got = try Self.trainingSet(store, model, spine: dir.file("spine.csv"), out: dir.file("got.csv"))
                let expected = try Self.fromScratch(model, accepted, spine: dir.file("spine.csv"))
                #expect(got == expected, "\(context)\n\(Self.firstDifference(got, expected))")
                if Bool.random(using: &rng) {
                    // Pushed rows are served as they arrive, whatever the last materialization's end: online equals offline at an end
                    // that every accepted row is known by.
                    let known = accepted.compactMap { ($0["created"] ?? nil).flatMap { try? Timestamp.parse($0).get() } }.max() ?? Self.base
                    let end = max(lastEnd, known + Int64.random(in: 0...60, using: &rng) * Self.minute)
                    lastEnd = end
                    _ = try store.materialize(end: end)
                    try Self.expectOnlineEqualsOffline(store, model, at: end, context: context)
                }
            }
        }
    }

    static func firstDifference(_ got: String, _ expected: String) -> String {
        let a = got.split(separator: "\n", omittingEmptySubsequences: false), b = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(a.count, b.count) where i >= a.count || i >= b.count || a[i] != b[i] {
            return "line \(i): got \(i < a.count ? String(a[i]) : "-")\n   expected \(i < b.count ? String(b[i]) : "-")\n   header \(a.first ?? "")"
        }
        return "same"
    }

    /// Applies one random edit to the model and names it.
    static func edit(_ model: inout Model, _ rng: inout SeededGenerator, step: Int) -> String {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
            model.description = "v\(step + 1)"
            model.ttl = ["1h", "2h", "3h"].randomElement(using: &rng) ?? "2h"
            model.threshold += 1
            return "metadata"
        case 1:
            let column = model.extraColumns.randomElement(using: &rng)
            model.derived.append(("f\(step)", column.map { "coalesce(\($0), 0) + a" } ?? "a + b"))
            return "add feature f\(step)"
        case 2:
            let index = Int.random(in: 0..<model.derived.count, using: &rng)
            model.derived[index].1 = "a * \(step + 3)"
            return "change \(model.derived[index].0)"
        case 3:
            model.extraColumns.append("c\(step)")
            return "add column c\(step)"
        case 4:
            let index = Int.random(in: 0..<model.windows.count, using: &rng)
            model.windows[index] = ["30m", "2h", "12h", "1d"].randomElement(using: &rng) ?? "2h"
            return "window \(index) → \(model.windows[index])"
        default:
            model.extraViews += 1
            return "add view extra\(model.extraViews - 1)"
        }
    }

    /// The training set a new project with the current definitions gives over the accepted rows, ingested at once.
    static func fromScratch(_ model: Model, _ rows: [Row], spine: URL) throws -> String {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/defs.yaml", model.yaml)
        try dir.write("events.csv", csv(rows, model))
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "test", message: nil)
        _ = try store.ingest()
        return try trainingSet(store, model, spine: spine, out: dir.file("expected.csv"))
    }

    static func expectOnlineEqualsOffline(_ store: FeatureStore, _ model: Model, at end: Int64, context: String) throws {
        let users = (1...6).map { ["user_id": KeyPart.int(Int64($0))] }
        let references = model.views.map { FeatureReference(view: $0, feature: nil) }
        let online = try store.onlineReader(.references(references)).get(users, at: end)
        let dir = TemporaryDirectory()
        try dir.write("spine.csv", "user_id,event_timestamp\n" + (1...6).map { "\($0),\(Timestamp.format(end))" }.joined(separator: "\n") + "\n")
        let result = try store.historical(HistoricalRequest(spinePath: dir.file("spine.csv").path, features: .references(references), outputPath: dir.file("t.csv").path))
        let set = result.trainingSet
        for (row, served) in online.enumerated() {
            var column = 0
            for (part, view) in set.results.enumerated() {
                for feature in 0..<view.values.count {
                    let want = view.values[feature][row], got = served[column]
                    #expect(got.value == want && got.status == view.statuses[row],
                            "\(context): user \(row + 1) part \(part) feature \(feature): online \(got) offline \(want) \(view.statuses[row])")
                    column += 1
                }
            }
        }
    }
}
