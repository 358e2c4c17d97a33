// The Spark SQL lowering's text: parameters for literals, shared subexpressions, golden forms. Its values are checked
// against the Swift evaluator on a real Spark in SparkEngineTests.
import StrataCore
@testable import StrataOffline
import Testing

/// The Spark SQL text itself (no Spark needed).
@Suite struct ExpressionSparkSQLTests {
    /// The full text Spark receives for `text`: the select expression and the relation of its shared values.
    func sqlSize(_ text: String) throws -> Int {
        let typed = try ExpressionParser.parse(text).flatMap { TypeChecker(columns: ExpressionAgreementTests.columns).check($0) }.get()
        var renderer = ExpressionSparkSQL()
        return renderer.lower(typed).count + renderer.relation(over: "t").count
    }

    @Test("string literals are parameters, never spliced into the SQL")
    func literalsAreBound() throws {
        let typed = try ExpressionParser.parse("s1 || 'x''); DROP TABLE t; --'").flatMap { TypeChecker(columns: ExpressionAgreementTests.columns).check($0) }.get()
        var renderer = ExpressionSparkSQL()
        let sql = renderer.lower(typed)
        #expect(!sql.contains("DROP"))
        #expect(sql == "CAST(concat((`s1`), (:p0)) AS STRING)")
        #expect(renderer.arguments == [.string("x'); DROP TABLE t; --")])
    }

    @Test("a subexpression read twice is computed once: nesting grows the SQL linearly, not exponentially")
    func sharedSubexpressions() throws {
        let sizes = try (1...6).map { depth -> Int in
            var text = "f1"
            for _ in 0..<depth { text = "round(\(text) * 1.5, 2)" }
            return try sqlSize(text)
        }
        // Linear: each level adds about the same amount of text.
        let steps = zip(sizes.dropFirst(), sizes).map { $0 - $1 }
        #expect(steps.max()! < 2 * steps.min()!, "sizes \(sizes)")
    }

    @Test("golden Spark SQL for a few expressions", arguments: [
        ("i1 * 2", "CAST(IF(`i1` <> 0L AND (`__ps0` DIV `i1` <> CAST(:p0 AS BIGINT) OR (`i1` = -1L AND CAST(:p0 AS BIGINT) = (-9223372036854775807L - 1L))), NULL, `__ps0`) AS BIGINT)"),
        ("hour(t1)", "CAST((pmod((`t1`), 86400000000L) DIV 3600000000L) AS BIGINT)"),
        ("lower(s1)", "CAST(translate((`s1`), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS STRING)"),
    ])
    func golden(text: String, sql: String) throws {
        let typed = try ExpressionParser.parse(text).flatMap { TypeChecker(columns: ExpressionAgreementTests.columns).check($0) }.get()
        var renderer = ExpressionSparkSQL()
        #expect(renderer.lower(typed) == sql)
    }
}
