package import StrataCore

/// The stored form of an `AggregationTileRecord`, little-endian throughout:
///
/// ```
/// header    u8 formatVersion | u8 flags (1: latest settled, 2: folded max) | u16 groups | u32 raw events
///           i64 horizon | i64 latest settled | i64×3 folded max (event, created, seq) | u16 inputs | u16 conditions
/// offsets   u32 per group, then u32 per input and condition column: where each section starts
/// raw       i64 event_ts[n] | i64 created_ts[n] | i64 ingest_seq[n] | i64 until[n]
/// inputs    per column: null bitmap, then 8 bytes per value (int64, timestamp, float64), 1 (bool), or
///           u32 offsets[n + 1] and UTF-8 bytes (string)
/// conditions per column: a bitmap, bit set when the condition holds
/// groups    per group: varint tiles, then per tile a zigzag varint index delta and the compact partial
/// ```
///
/// Fixed-width columns let a read reach any raw event directly; tiles are read in order, so they take varints.
extension AggregationTileRecord {
    static let formatVersion: UInt8 = 1
    static let headerBytes = 52

    /// The record's bytes for a layout.
    package func bytes(layout: OnlineAggregationLayout) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerBytes + 4 * (tiles.count + raw.inputs.count + raw.filters.count) + raw.count * 40 + tiles.joined().count * 12)
        let table = appendHead(groups: tiles.count, layout: layout, &out)
        for (g, stored) in tiles.enumerated() {
            patch(&out, at: table + 4 * g)
            CompactWriter.varint(UInt64(stored.count), &out)
            var previous: Int64 = 0
            for tile in stored {
                CompactWriter.zigzag(tile.index &- previous, &out)
                previous = tile.index
                layout.groups[g].kernel.appendCompact(tile.partial, to: &out)
            }
        }
        return out
    }

    /// Writes the header, the offset table (group slots left for the caller to patch) and the raw, input and condition
    /// columns; returns where the offset table starts.
    private func appendHead(groups: Int, layout: OnlineAggregationLayout, _ out: inout [UInt8]) -> Int {
        let n = raw.count, inputCount = raw.inputs.count, filterCount = raw.filters.count
        out.append(Self.formatVersion)
        out.append((latestSettled == nil ? 0 : 1) | (foldedMax == nil ? 0 : 2))
        append(UInt64(groups), 2, &out)
        append(UInt64(n), 4, &out)
        for value in [horizon, latestSettled ?? 0, foldedMax?.eventTs ?? 0, foldedMax?.createdTs ?? 0, foldedMax?.ingestSeq ?? 0] {
            CompactWriter.int64(value, &out)
        }
        append(UInt64(inputCount), 2, &out)
        append(UInt64(filterCount), 2, &out)
        let table = out.count
        out.append(contentsOf: repeatElement(0, count: 4 * (groups + inputCount + filterCount)))
        for i in 0..<n { CompactWriter.int64(raw.orders[i].eventTs, &out) }
        for i in 0..<n { CompactWriter.int64(raw.orders[i].createdTs, &out) }
        for i in 0..<n { CompactWriter.int64(raw.orders[i].ingestSeq, &out) }
        for i in 0..<n { CompactWriter.int64(raw.until[i], &out) }
        for (column, values) in raw.inputs.enumerated() {
            patch(&out, at: table + 4 * (groups + column))
            appendColumn(values, type: layout.columns.inputs[column].type, &out)
        }
        for (column, values) in raw.filters.enumerated() {
            patch(&out, at: table + 4 * (groups + inputCount + column))
            appendBitmap(values, &out)
        }
        return table
    }

    /// The bytes of a stored record with new versions that lie after its horizon (and that no other version replaces:
    /// a source without `id`), or nil when one does not. Such a version is not settled at the horizon, so `insert`
    /// would keep it raw and change nothing else: no tile folds (every in-window raw version already lies at or after
    /// the cut), nothing is pruned (the record is canonical at its horizon), the settled time stays. This writes
    /// exactly those bytes — raw columns re-encoded, tile sections copied as they are — without decoding a single tile.
    /// - Throws: `AggregationDecodingError` when the stored bytes are damaged or of another layout.
    package static func insertingAfterHorizon(_ bytes: UnsafeRawBufferPointer, _ events: AggregationEvents,
                                              layout: OnlineAggregationLayout) throws(AggregationDecodingError) -> [UInt8]? {
        let view = try AggregationTileRecordView(bytes, layout: layout)
        guard events.orders.allSatisfy({ $0.eventTs > view.horizon }) else { return nil }
        var record = AggregationTileRecord(events: AggregationEvents(inputColumns: layout.columns.inputs.count, filterColumns: layout.columns.filters.count),
                                           groups: 0)
        record.horizon = view.horizon
        record.latestSettled = view.latestSettled
        record.foldedMax = view.foldedMax
        record.raw = try rawEvents(view, layout: layout)
        for i in events.orders.indices where !record.raw.orders.contains(events.orders[i]) {
            record.raw.insert(order: events.orders[i], until: Int64.max, inputs: events.inputs.map { $0[i] }, filters: events.filters.map { $0[i] })
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 48 * events.count)
        let table = record.appendHead(groups: layout.groups.count, layout: layout, &out)
        for g in layout.groups.indices {
            record.patch(&out, at: table + 4 * g)
            out.append(contentsOf: view.groupReader(g).bytes)
        }
        return out
    }

    /// A stored record's raw versions.
    static func rawEvents(_ view: AggregationTileRecordView, layout: OnlineAggregationLayout) throws(AggregationDecodingError) -> RawAggregationEvents {
        var raw = RawAggregationEvents(inputColumns: layout.columns.inputs.count, filterColumns: layout.columns.filters.count)
        for i in 0..<view.rawCount {
            raw.append(order: view.order(i), until: view.until(i),
                       inputs: try (0..<layout.columns.inputs.count).map { column throws(AggregationDecodingError) in try view.input(column, i) },
                       filters: (0..<layout.columns.filters.count).map { view.condition($0, i) })
        }
        return raw
    }

    /// Reads a record written by `bytes(layout:)` for the same layout.
    /// - Throws: `AggregationDecodingError` when the bytes are damaged or were written for another layout.
    package init(bytes: UnsafeRawBufferPointer, layout: OnlineAggregationLayout) throws(AggregationDecodingError) {
        let view = try AggregationTileRecordView(bytes, layout: layout)
        horizon = view.horizon
        latestSettled = view.latestSettled
        foldedMax = view.foldedMax
        raw = try Self.rawEvents(view, layout: layout)
        tiles = []
        for (g, group) in layout.groups.enumerated() {
            var reader = view.groupReader(g)
            let count = try reader.count()
            var stored: [StoredTile] = []
            var index: Int64 = 0
            for _ in 0..<count {
                index = index &+ (try reader.zigzag())
                guard stored.last.map({ $0.index < index }) ?? true else { throw AggregationDecodingError(reason: "tiles out of order") }
                stored.append(StoredTile(index: index, partial: try group.kernel.readCompact(&reader)))
            }
            tiles.append(stored)
        }
    }

    private func append(_ value: UInt64, _ width: Int, _ out: inout [UInt8]) {
        for i in 0..<width { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }

    /// Writes the current length into the u32 slot at `offset` of the offset table.
    private func patch(_ out: inout [UInt8], at offset: Int) {
        let value = UInt32(out.count)
        for i in 0..<4 { out[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
    }

    private func appendBitmap(_ bits: [Bool], _ out: inout [UInt8]) {
        var bitmap = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, bit) in bits.enumerated() where bit { bitmap[i / 8] |= 1 << UInt8(i % 8) }
        out.append(contentsOf: bitmap)
    }

    private func appendColumn(_ values: [Value], type: ValueType, _ out: inout [UInt8]) {
        appendBitmap(values.map(\.isNull), &out)
        switch type {
        case .int64, .timestamp, .float64:
            for value in values {
                switch value {
                case .int(let v): CompactWriter.int64(v, &out)
                case .float(let v): CompactWriter.int64(Int64(bitPattern: v.bitPattern), &out)
                default: CompactWriter.int64(0, &out)
                }
            }
        case .bool:
            for value in values { out.append(value == .bool(true) ? 1 : 0) }
        case .string:
            var offset: UInt32 = 0
            CompactWriter.uint32(0, &out)
            for value in values {
                if case .string(let s) = value { offset += UInt32(s.utf8.count) }
                CompactWriter.uint32(offset, &out)
            }
            for case .string(let s) in values { out.append(contentsOf: s.utf8) }
        }
    }
}
