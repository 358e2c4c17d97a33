/// The distinct inputs and conditions of a view's aggregations, numbered in first-use order: the columns `in_N` and
/// `where_N` of the offline event table, and the raw event columns of the online tile store. Aggregations that read the
/// same expression (or the same condition) share one column.
///
/// ```swift
/// let inputs = AggregationInputs(view.aggregations)
/// inputs.slots[2]  // (input: 0, filter: nil): aggregation 2 reads column in_0 and has no `where`
/// ```
public struct AggregationInputs: Sendable, Hashable {
    /// Which input and which condition one aggregation reads; nil for a count of rows, or no `where`.
    public struct Slot: Sendable, Hashable {
        public var input: Int?
        public var filter: Int?
    }

    public let inputs: [TypedExpr]
    public let filters: [TypedExpr]
    /// Per aggregation, in the view's order.
    public let slots: [Slot]

    public init(_ aggregations: [CompiledAggregation]) {
        var inputs: [TypedExpr] = [], filters: [TypedExpr] = []
        func index(_ expr: TypedExpr?, in list: inout [TypedExpr]) -> Int? {
            guard let expr else { return nil }
            if let found = list.firstIndex(of: expr) { return found }
            list.append(expr)
            return list.count - 1
        }
        slots = aggregations.map { Slot(input: index($0.input, in: &inputs), filter: index($0.filter, in: &filters)) }
        self.inputs = inputs
        self.filters = filters
    }
}

/// One key's aggregation events (every stored version) in event order — event time, created time, ingest sequence —
/// with their inputs and conditions evaluated: what the offline event table holds for the key, and what the online
/// tile store is built from.
public struct AggregationEvents: Sendable, Hashable {
    public var orders: [EventOrder] = []
    /// Per version its event id (`.null` for none); empty when the source has no `id` column.
    public var ids: [Value] = []
    /// Per input column (`AggregationInputs.inputs`), per version.
    public var inputs: [[Value]]
    /// Per condition column (`AggregationInputs.filters`), per version: true when the condition holds.
    public var filters: [[Bool]]

    public init(inputColumns: Int, filterColumns: Int) {
        inputs = Array(repeating: [], count: inputColumns)
        filters = Array(repeating: [], count: filterColumns)
    }

    public var count: Int { orders.count }

    /// Empties every column, keeping capacity.
    public mutating func removeAll() {
        orders.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        for i in inputs.indices { inputs[i].removeAll(keepingCapacity: true) }
        for i in filters.indices { filters[i].removeAll(keepingCapacity: true) }
    }
}
