import CZstd

/// zstd through Debian's libzstd: the default Parquet codec, and one of Arrow IPC's two body codecs.
enum Zstd {
    /// Compresses `input`; the same input and level give the same bytes with the same libzstd.
    static func compress(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                ZSTD_compress(target.baseAddress, bound, source.baseAddress, source.count, level)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw ColumnarError(.compression, "zstd could not compress a page: \(String(cString: ZSTD_getErrorName(written)))")
        }
        output.removeLast(bound - written)
        return output
    }

    /// Decompresses `input` into exactly `size` bytes.
    static func decompress(_ input: ArraySlice<UInt8>, size: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                ZSTD_decompress(target.baseAddress, size, source.baseAddress, source.count)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw ColumnarError(.compression, "zstd data is corrupt: \(String(cString: ZSTD_getErrorName(written)))",
                                fix: "the file is truncated or corrupt; write it again")
        }
        guard written == size else {
            throw ColumnarError(.malformed, "zstd data holds \(written) bytes, the header says \(size)", fix: "the file is corrupt; write it again")
        }
        return output
    }
}
