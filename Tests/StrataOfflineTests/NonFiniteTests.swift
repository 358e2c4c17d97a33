// The non-finite rule (docs/semantics.md): a computation that gives NaN or ±infinity yields null, in the Swift
// evaluator and in the lowered SQL alike, so offline tables, online values and every output agree.
import Foundation
import GRDB
import StrataCore
@testable import StrataOffline
import Testing

@Suite struct NonFiniteTests {
    @Test("overflowing float arithmetic and exp give null in both back-ends; finite results are untouched", arguments: [
        ("exp(f1 * 1000.0)", true), ("f1 * 1e308 * 10.0", true), ("-f1 * 1e308 - 1e308", true), ("f1 / 1e-308 / 1e-308", true),
        ("exp(f1)", false), ("f1 * 2.5", false), ("round(f1 * 1e300, 2)", false), ("coalesce(exp(f1 * 1000.0), -1.0)", false),
    ])
    func nullInBothBackEnds(text: String, isNull: Bool) throws {
        let columns: [(name: String, type: ValueType)] = [("f1", .float64)]
        let typed = try ExpressionParser.parse(text).flatMap { TypeChecker(columns: columns).check($0) }.get()
        let swift = ExpressionEvaluator.evaluate(typed, row: [.float(2)])
        let fragment = ExpressionSQL.lower(typed)
        let sql = try DatabaseQueue(configuration: {
            var c = Configuration()
            c.prepareDatabase { SQLiteFunctions.register(on: $0) }
            return c
        }()).read { db in
            try DatabaseValue.fetchOne(db, sql: "SELECT \(fragment.text) FROM (SELECT 2.0 AS f1)", arguments: fragment.statementArguments) ?? .null
        }
        #expect(swift.isNull == isNull, "\(swift)")
        #expect(sql.isNull == isNull, "\(sql)")
        if case .float(let v) = swift, let d = Double.fromDatabaseValue(sql) { #expect(v == d) }
        #expect(swift.finiteOrNull == swift)
    }

    @Test("a stored infinity or NaN is written as null by every training-set format and by Value's text")
    func outputsWriteNull() {
        for value in [Double.infinity, -.infinity, .nan] {
            #expect(TrainingSetWriter.render(.float(value)) == "")
            #expect(TrainingSetWriter.jsonValue(.float(value), .float64) == "null")
            #expect(TrainingSetWriter.databaseValue(.float(value)) == .null)
            #expect(Value.float(value).description == "null")
            #expect(Value.float(value).finiteOrNull == .null)
        }
    }
}
