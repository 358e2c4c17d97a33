import CZlib

/// gzip (and zlib-wrapped deflate) decompression through zlib, for Parquet files written with `compression="gzip"`.
enum Gzip {
    /// Inflates `input` into exactly `size` bytes.
    static func decompress(_ input: ArraySlice<UInt8>, size: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(size, 1))
        var stream = z_stream()
        // 15 + 32: the largest window, with automatic detection of a gzip or zlib header.
        guard strata_inflate_init2(&stream, 15 + 32) == Z_OK else { throw ColumnarError(.compression, "zlib could not start inflating") }
        defer { inflateEnd(&stream) }
        let status: Int32 = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw ColumnarError(.compression, "gzip data is corrupt or does not hold \(size) bytes (zlib status \(status))",
                                fix: "the file is truncated or corrupt; write it again")
        }
        output.removeLast(output.count - size)
        return output
    }
}
