import Foundation
import StrataCore
import StrataQuality

/// The data-quality state of one ingest run, fed on the hot path: the source's column expectations, the profile of
/// the rows the run accepts (schema columns, time columns and the row features of every view reading the source)
/// and, when `unique` is declared, the duplicate counter.
///
/// Memory is bounded by the sketches (a few KB per column) except for `unique`, which remembers one entry per row of
/// the run (see docs/semantics.md).
struct IngestQuality {
    /// A profiled feature: evaluated per row, or the profile of an input column under the feature's name.
    enum FeatureSlot {
        case evaluated(name: String, column: Int, expression: TypedExpr)
        case alias(name: String, input: Int)
    }

    var checker: RowChecker?
    /// Schema columns, the event time, the created time (when the source has one), then evaluated features.
    var columns: [ColumnProfile]
    let schemaCount: Int
    let hasCreated: Bool
    let slots: [FeatureSlot]
    /// Indexes into `slots` of the evaluated features, in order.
    let evaluated: [(column: Int, expression: TypedExpr)]
    /// Expression inputs, reused per row: schema values, event time, created time.
    var inputs: [Value] = []
    var rows: Int64 = 0
    var newestEvent: Int64?
    var duplicates: DuplicateCounter?
    /// False only under `STRATA_BENCH_UNPROFILED=1` for a source without run rules: `make bench-quality` times the
    /// same ingest without profiling, to report what profiling costs. The run's stored profile is then empty.
    let isProfiling: Bool

    init(request: IngestRequest) throws {
        let source = request.source
        checker = source.expectations.map { !$0.columns.isEmpty } == true ? try RowChecker(source) : nil
        schemaCount = source.columns.count
        hasCreated = source.created != nil
        var columns = source.columns.map { ColumnProfile(name: $0.name, type: $0.type) }
        columns.append(ColumnProfile(name: source.timestamp.column, type: .timestamp))
        if let created = source.created { columns.append(ColumnProfile(name: created.column, type: .timestamp)) }
        let inputTypes = source.expressionColumns.map(\.type)
        var slots: [FeatureSlot] = []
        var evaluated: [(column: Int, expression: TypedExpr)] = []
        for spec in request.views {
            for feature in spec.view.features {
                let name = "\(spec.view.definition.name):\(feature.definition.name)"
                if case .column(let index, _, let type) = feature.typed, index < inputTypes.count, inputTypes[index] == type,
                   type == feature.definition.type {
                    slots.append(.alias(name: name, input: index))
                } else {
                    evaluated.append((columns.count, feature.typed))
                    slots.append(.evaluated(name: name, column: columns.count, expression: feature.typed))
                    columns.append(ColumnProfile(name: name, type: feature.definition.type))
                }
            }
        }
        self.columns = columns
        self.slots = slots
        self.evaluated = evaluated
        inputs.reserveCapacity(source.expressionColumns.count)
        isProfiling = ProcessInfo.processInfo.environment["STRATA_BENCH_UNPROFILED"] != "1" || source.expectations?.run.isEmpty == false
        if source.expectations?.run.contains(where: { $0.rule == .unique }) == true {
            let keys = source.columns.indices.filter { request.keyColumns.contains(source.columns[$0].name) }
            duplicates = DuplicateCounter(keyIndexes: keys)
        }
    }

    /// Checks a decoded row against the column rules: the failed expectation when the row must go to quarantine.
    @inline(__always)
    mutating func check(_ values: [Value]) -> ExpectationFailure? {
        checker?.check(values)
    }

    /// Profiles an accepted row.
    @inline(__always)
    mutating func add(_ values: [Value], event: Int64, created: Int64) {
        rows += 1
        if newestEvent.map({ event > $0 }) ?? true { newestEvent = event }
        duplicates?.add(values, event: event)
        guard isProfiling else { return }
        for index in 0..<schemaCount { columns[index].add(values[index]) }
        columns[schemaCount].add(number: Double(event))
        if hasCreated { columns[schemaCount + 1].add(number: Double(created)) }
        guard !evaluated.isEmpty else { return }
        inputs.removeAll(keepingCapacity: true)
        inputs.append(contentsOf: values)
        inputs.append(.int(event))
        if hasCreated { inputs.append(.int(created)) }
        for feature in evaluated {
            columns[feature.column].add(ExpressionEvaluator.evaluate(feature.expression, row: inputs))
        }
    }

    /// The run's profile: schema and time columns, then every row feature in view order.
    func profile() -> DatasetProfile {
        var result = Array(columns.prefix(schemaCount + (hasCreated ? 2 : 1)))
        for slot in slots {
            switch slot {
            case .evaluated(_, let column, _): result.append(columns[column])
            case .alias(let name, let input): result.append(columns[input].renamed(name))
            }
        }
        return DatasetProfile(columns: result, rowCount: rows)
    }
}

/// Counts rows that share their join keys and event time with an earlier row of the run (`unique`).
struct DuplicateCounter {
    struct Entry: Hashable {
        var keys: [Value]
        var event: Int64
    }

    struct SingleEntry: Hashable {
        var key: Value
        var event: Int64
    }

    let keyIndexes: [Int]
    var seen = Set<Entry>()
    var seenSingle = Set<SingleEntry>()
    var duplicates: Int64 = 0

    init(keyIndexes: [Int]) {
        self.keyIndexes = keyIndexes
    }

    mutating func add(_ values: [Value], event: Int64) {
        let isNew: Bool
        if keyIndexes.count == 1 {
            isNew = seenSingle.insert(SingleEntry(key: values[keyIndexes[0]], event: event)).inserted
        } else {
            isNew = seen.insert(Entry(keys: keyIndexes.map { values[$0] }, event: event)).inserted
        }
        if !isNew { duplicates += 1 }
    }
}
