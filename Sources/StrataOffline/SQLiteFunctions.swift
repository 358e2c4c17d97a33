public import GRDB
import StrataCore

/// The helper functions the lowered SQL calls, registered on every connection Strata opens.
/// Each is deterministic and shares its implementation with the Swift evaluator (`ScalarOperations`).
public enum SQLiteFunctions {
    /// `strata_int(x)`: x when it is an integer, else null (SQLite turns int64 overflow into a REAL).
    static let checkedInt = DatabaseFunction("strata_int", argumentCount: 1, pure: true) { values in
        values[0].storage.isInteger ? values[0] : DatabaseValue.null
    }

    static let parseInt = DatabaseFunction("strata_parse_int", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).flatMap(ScalarOperations.parseInt)
    }

    static let parseFloat = DatabaseFunction("strata_parse_float", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).flatMap(ScalarOperations.parseFloat)
    }

    static let checkedTimestamp = DatabaseFunction("strata_timestamp", argumentCount: 1, pure: true) { values in
        Int64.fromDatabaseValue(values[0]).flatMap(ScalarOperations.checkedTimestamp)
    }

    /// `strata_round(x, digits)`: the language's `round` (`ScalarOperations.round`: half away from zero on `x · 10^digits`),
    /// as the Swift evaluator and the Spark engine compute it. SQLite's own `round` goes through its printf, which first
    /// rounds to 15–16 significant digits: `round(0.215 * 0.69 * 100, 2)` was 14.84 there and 14.83 in pushed rows.
    static let round = DatabaseFunction("strata_round", argumentCount: 2, pure: true) { values in
        guard let x = Double.fromDatabaseValue(values[0]), let digits = Int64.fromDatabaseValue(values[1]) else { return nil }
        let rounded = ScalarOperations.round(x, digits: digits)
        return rounded.isFinite ? rounded : nil
    }

    /// Adds the helpers to a connection; call from `Configuration.prepareDatabase`.
    public static func register(on db: Database) {
        db.add(function: round)
        db.add(function: checkedInt)
        db.add(function: parseInt)
        db.add(function: parseFloat)
        db.add(function: checkedTimestamp)
    }
}

extension DatabaseValue.Storage {
    var isInteger: Bool {
        if case .int64 = self { return true }
        return false
    }
}
