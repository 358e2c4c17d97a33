package import Foundation

/// The JSON coders for stored profiles and drift reports. Sums of squares can overflow to infinity on extreme data
/// (values near 1e160 square past `Double.greatestFiniteMagnitude`), and a stored record must keep what was computed
/// rather than fail the run that wrote it, so non-finite numbers are written as the strings `inf`, `-inf` and `nan`.
/// Readable outputs (`ProfileSummary`, tables) show such values as null instead.
///
/// ```swift
/// let text = try QualityJSON.encoder().encode(profile)
/// let back = try QualityJSON.decoder().decode(DatasetProfile.self, from: text)
/// ```
package enum QualityJSON {
    static let nonFinite = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    /// An encoder with sorted keys that writes non-finite numbers as strings.
    package static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = nonFinite
        return encoder
    }

    /// A decoder that reads what `encoder()` writes.
    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
