// The expression language front end: parsing, type checking and the evaluator's edge rules.
// SQL/Swift agreement on random expressions is checked in StrataOfflineTests (it needs SQLite).
import Testing
@testable import StrataCore

@Suite struct ExpressionTests {
    let columns: [(name: String, type: ValueType)] = [("trips", .int64), ("rate", .float64), ("city", .string), ("active", .bool), ("ts", .timestamp)]

    func check(_ text: String, expected: ValueType? = nil) -> Result<TypedExpr, ExpressionError> {
        ExpressionParser.parse(text).flatMap { TypeChecker(columns: columns).check($0, expected: expected) }
    }

    func eval(_ text: String, _ row: [Value] = [.int(3), .float(0.5), .string("Lisbon"), .bool(true), .int(1_772_366_400_000_000)]) throws -> Value {
        ExpressionEvaluator.evaluate(try check(text).get(), row: row)
    }

    @Test("well-typed expressions get their types", arguments: [
        ("trips * 2", ValueType.int64), ("trips * rate", .float64), ("trips / 2", .int64), ("rate > 0.3 and active", .bool),
        ("case when trips > 2 then 'many' else 'few' end", .string), ("coalesce(trips, 0)", .int64), ("round(rate, 2)", .float64),
        ("hour(ts)", .int64), ("cast(city as int64)", .int64), ("if(active, trips, null)", .int64), ("lower(city) || '!'", .string),
        ("least(trips, rate)", .float64), ("ts is null", .bool), ("not (trips = 3)", .bool), ("-trips % 4", .int64),
    ])
    func infersTypes(text: String, type: ValueType) throws {
        #expect(try check(text).get().type == type)
    }

    @Test("type errors name the problem", arguments: [
        ("city + 1", "needs numbers"), ("trips and active", "needs bool"), ("rate % 2", "needs int64"),
        ("if(trips, 1, 2)", "needs bool"), ("coalesce(city, 1)", "different types"), ("nosuch(1)", "unknown function"),
        ("tripz", "unknown column"), ("cast(rate as string)", "cannot cast"), ("hour(trips)", "needs timestamp"),
        ("round(rate, trips)", "integer literal"), ("abs()", "takes 1 argument"),
    ])
    func typeErrors(text: String, message: String) {
        guard case .failure(let error) = check(text) else {
            Issue.record("\(text) type-checked")
            return
        }
        #expect(error.what.contains(message), "\(error.what)")
    }

    @Test("a misspelt column gets a did-you-mean fix")
    func nearMissColumn() {
        guard case .failure(let error) = check("tripz + 1") else { Issue.record("checked"); return }
        #expect(error.fix == "did you mean `trips`?")
        #expect(error.offset == 0)
    }

    @Test("syntax errors give the character offset", arguments: [
        ("trips +", 7), ("(trips", 6), ("trips 3", 6), ("'open", 0), ("trips $ 2", 6), ("case trips end", 5),
    ])
    func syntaxErrors(text: String, offset: Int) {
        guard case .failure(let error) = ExpressionParser.parse(text) else { Issue.record("\(text) parsed"); return }
        #expect(error.offset == offset, "\(error)")
    }

    @Test("deep nesting is refused instead of exhausting the stack")
    func deepNesting() {
        let text = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        guard case .failure(let error) = ExpressionParser.parse(text) else { Issue.record("parsed"); return }
        #expect(error.what.contains("nested"))
    }

    @Test("declared float64 accepts an int64 expression by widening, but not the reverse")
    func widening() throws {
        #expect(try check("trips", expected: .float64).get().type == .float64)
        #expect(throws: ExpressionError.self) { try check("rate", expected: .int64).get() }
    }

    @Test("evaluator edge rules: nulls, division by zero, overflow, three-valued logic")
    func evaluatorEdges() throws {
        #expect(try eval("trips / 0") == .null)
        #expect(try eval("rate / 0.0") == .null)
        #expect(try eval("9223372036854775807 + trips") == .null)
        #expect(try eval("-9223372036854775808 % -1") == .int(0))
        #expect(try eval("-7 / 2") == .int(-3))
        #expect(try eval("null and false") == .bool(false))
        #expect(try eval("null or true") == .bool(true))
        #expect(try eval("null and true") == .null)
        #expect(try eval("coalesce(null, trips)") == .int(3))
        #expect(try eval("nullif(trips, 3)") == .null)
        #expect(try eval("round(2.5)") == .float(3))
        #expect(try eval("round(-2.5)") == .float(-3))
        #expect(try eval("upper('zürich')") == .string("ZüRICH"))
        #expect(try eval("length('São')") == .int(3))
        #expect(try eval("hour(ts)") == .int(12))
        #expect(try eval("day_of_week(ts)") == .int(7))
        #expect(try eval("cast(' 42 ' as int64)") == .int(42))
        #expect(try eval("cast('4x' as int64)") == .null)
        #expect(try eval("ln(0)") == .null)
        #expect(try eval("'B' < 'a'") == .bool(true))
    }

    @Test("column references are listed in first-use order")
    func columnReferences() throws {
        let expr = try ExpressionParser.parse("rate * trips + rate").get()
        #expect(expr.columnReferences == ["rate", "trips"])
    }
}
