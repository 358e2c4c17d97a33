extension AggregationKernel {
    /// A partial in the online tile store's compact form: a varint count, then only the fields this function uses
    /// (IEEE bits for floats, the exact sum's two words, a tagged value and its event order, a compact sketch). There is
    /// no version byte: the record that holds the partials has one. An empty partial is its count alone.
    public func appendCompact(_ partial: AggregatePartial, to out: inout [UInt8]) {
        CompactWriter.varint(UInt64(partial.count), &out)
        guard partial.count > 0 else { return }
        switch kind {
        case .countRows, .countValues:
            break
        case .exactSum, .exactAverage:
            CompactWriter.int64(partial.exact.high, &out)
            CompactWriter.int64(Int64(bitPattern: partial.exact.low), &out)
        case .floatSum, .floatAverage:
            CompactWriter.int64(Int64(bitPattern: partial.sum.bitPattern), &out)
        case .variance, .stddev:
            CompactWriter.int64(Int64(bitPattern: partial.sum.bitPattern), &out)
            CompactWriter.int64(Int64(bitPattern: partial.m2.bitPattern), &out)
        case .min, .max:
            CompactWriter.value(partial.value, &out)
        case .first, .last:
            CompactWriter.value(partial.value, &out)
            CompactWriter.int64(partial.order.eventTs, &out)
            CompactWriter.int64(partial.order.createdTs, &out)
            CompactWriter.int64(partial.order.ingestSeq, &out)
        case .distinct:
            (partial.sketch ?? HyperLogLog()).appendCompact(to: &out)
        }
    }

    /// Reads one compact partial written by `appendCompact` for this function and input type, advancing the reader.
    /// - Throws: `AggregationDecodingError` for truncated or malformed bytes.
    package func readCompact(_ reader: inout CompactReader) throws(AggregationDecodingError) -> AggregatePartial {
        var partial = AggregatePartial()
        let count = try reader.varint()
        guard count <= UInt64(Int64.max) else { throw AggregationDecodingError("count out of range") }
        partial.folded = Int64(count)
        guard count > 0 else { return partial }
        switch kind {
        case .countRows, .countValues:
            break
        case .exactSum, .exactAverage:
            let high = try reader.int64()
            partial.exact = WideSum(high: high, low: UInt64(bitPattern: try reader.int64()))
        case .floatSum, .floatAverage:
            partial.sum = try reader.double()
        case .variance, .stddev:
            partial.sum = try reader.double()
            partial.m2 = try reader.double()
        case .min, .max:
            partial.chosen = ChosenValue(try reader.value(), .unordered)
        case .first, .last:
            let value = try reader.value()
            let eventTs = try reader.int64(), createdTs = try reader.int64()
            partial.chosen = ChosenValue(value, EventOrder(eventTs: eventTs, createdTs: createdTs, ingestSeq: try reader.int64()))
        case .distinct:
            partial.sketchBox = SketchBox(try HyperLogLog(compact: &reader))
        }
        return partial
    }

    /// Merges a compact partial into `partial` as `merge(&partial, readCompact(&reader))` would, bit for bit, but reads
    /// a distinct count's sketch in place instead of building it (a 7-day window merges over a hundred of them).
    /// - Throws: `AggregationDecodingError` for truncated or malformed bytes.
    @inline(__always)
    package func mergeCompact(_ partial: inout AggregatePartial, _ reader: inout CompactReader) throws(AggregationDecodingError) {
        // An empty total takes the other partial whole (`merge`'s first branch), so only a non-empty one folds in place.
        guard partial.count > 0 else {
            merge(&partial, try readCompact(&reader))
            return
        }
        switch kind {
        case .min, .max, .first, .last:
            merge(&partial, try readCompact(&reader))
            return
        default:
            break
        }
        let count = try reader.varint()
        guard count <= UInt64(Int64.max) else { throw AggregationDecodingError("count out of range") }
        guard count > 0 else { return }
        // The numeric kinds: `merge`'s arithmetic on the fields read in place, without building a partial (its two
        // optional references cost a retain and release per tile on the lookup path).
        switch kind {
        case .countRows, .countValues, .min, .max, .first, .last:
            break
        case .exactSum, .exactAverage:
            let high = try reader.int64()
            partial.exact.add(WideSum(high: high, low: UInt64(bitPattern: try reader.int64())))
        case .floatSum, .floatAverage:
            partial.sum = partial.sum + (try reader.double())
        case .variance, .stddev:
            let mean = try reader.double(), m2 = try reader.double()
            let na = Double(partial.count), nb = Double(Int64(count)), n = Double(partial.count + Int64(count))
            let delta = mean - partial.sum
            partial.sum = partial.sum + delta * (nb / n)
            partial.m2 = partial.m2 + m2 + delta * delta * (na * nb / n)
        case .distinct:
            try partial.mergeCompactSketch(&reader)
        }
        partial.folded += Int64(count)
    }

    /// Skips one compact partial after checking it.
    /// - Throws: `AggregationDecodingError` for truncated or malformed bytes.
    package func skipCompact(_ reader: inout CompactReader) throws(AggregationDecodingError) {
        let fixedWidth: Int
        switch kind {
        case .min, .max, .first, .last:
            _ = try readCompact(&reader)
            return
        case .countRows, .countValues: fixedWidth = 0
        case .floatSum, .floatAverage: fixedWidth = 8
        case .exactSum, .exactAverage, .variance, .stddev: fixedWidth = 16
        case .distinct: fixedWidth = -1
        }
        // Numbers are skipped by width and a sketch is checked in place, never built (the checks of `readCompact`).
        let count = try reader.varint()
        guard count <= UInt64(Int64.max) else { throw AggregationDecodingError("count out of range") }
        guard count > 0 else { return }
        if fixedWidth >= 0 { _ = try reader.skip(fixedWidth) } else { try HyperLogLog.skipCompact(&reader) }
    }
}

extension AggregatePartial {
    /// The distinct half of `mergeCompact`: the sketch is merged in place when this partial holds the only reference to
    /// it, else copied once (the copy-on-write rule of `mergeIntoSketch`).
    @inline(__always)
    mutating func mergeCompactSketch(_ reader: inout CompactReader) throws(AggregationDecodingError) {
        if isKnownUniquelyReferenced(&sketchBox), let box = sketchBox {
            try box.sketch.mergeCompact(&reader)
            return
        }
        var sketch = sketchBox?.sketch ?? HyperLogLog()
        sketch.reserve(32)
        try sketch.mergeCompact(&reader)
        sketchBox = SketchBox(sketch)
    }
}
