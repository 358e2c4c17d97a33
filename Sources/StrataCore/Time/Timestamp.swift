/// Timestamps are Int64 microseconds since the Unix epoch, UTC (SPEC "Time").
/// This file parses and renders them without Foundation so it can run per row in ingest.
public enum Timestamp {
    public static let microsPerSecond: Int64 = 1_000_000
    public static let microsPerDay: Int64 = 86_400_000_000
    /// 0001-01-01T00:00:00Z: the earliest instant accepted, so time arithmetic never overflows.
    public static let minMicros: Int64 = -62_135_596_800_000_000
    /// 9999-12-31T23:59:59.999999Z: the latest instant accepted.
    public static let maxMicros: Int64 = 253_402_300_799_999_999

    /// Why a timestamp could not be parsed; the caller adds the file and line.
    public enum ParseFailure: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case missingZone(String)
        case outOfRange(String)
        case tooPrecise(String)

        public var description: String {
            switch self {
            case .malformed(let text): return "`\(text)` is not an RFC 3339 timestamp such as 2026-03-01T12:00:00Z"
            case .missingZone(let text): return "`\(text)` has no time zone (add `Z` or an offset such as +05:30, or declare `timezone: UTC` on the source)"
            case .outOfRange(let text): return "`\(text)` is outside the years 0001-9999"
            case .tooPrecise(let text): return "`\(text)` has more than 6 fractional digits (microseconds is the finest unit)"
            }
        }
    }

    /// Parses RFC 3339 / ISO 8601 text (`T` or a space between date and time) to microseconds.
    ///
    /// `2026-03-01T12:00:00+05:30` → the instant 06:30 UTC. Without a zone the text is an error
    /// unless `assumeUTC` is set (the source declared `timezone: UTC`).
    public static func parse(_ text: String, assumeUTC: Bool = false) -> Result<Int64, ParseFailure> {
        var copy = text
        return copy.withUTF8 { parse(utf8: UnsafeRawBufferPointer($0), assumeUTC: assumeUTC) }
    }

    /// Parses UTF-8 bytes without allocating; the text is decoded only to describe a failure.
    public static func parse(utf8 bytes: UnsafeRawBufferPointer, assumeUTC: Bool) -> Result<Int64, ParseFailure> {
        func fail(_ make: (String) -> ParseFailure) -> Result<Int64, ParseFailure> { .failure(make(String(decoding: bytes, as: UTF8.self))) }
        var cursor = ByteCursor(bytes: bytes)
        guard let year = cursor.digits(4), cursor.take(UInt8(ascii: "-")),
              let month = cursor.digits(2), cursor.take(UInt8(ascii: "-")),
              let day = cursor.digits(2)
        else { return fail(ParseFailure.malformed) }
        guard cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: "t")) || cursor.take(UInt8(ascii: " ")),
              let hour = cursor.digits(2), cursor.take(UInt8(ascii: ":")),
              let minute = cursor.digits(2), cursor.take(UInt8(ascii: ":")),
              let second = cursor.digits(2)
        else { return fail(ParseFailure.malformed) }
        var fraction: Int64 = 0
        if cursor.take(UInt8(ascii: ".")) {
            var count = 0
            while let digit = cursor.digit() {
                count += 1
                if count > 6 { return fail(ParseFailure.tooPrecise) }
                fraction = fraction * 10 + Int64(digit)
            }
            if count == 0 { return fail(ParseFailure.malformed) }
            for _ in count..<6 { fraction *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if cursor.take(UInt8(ascii: "Z")) || cursor.take(UInt8(ascii: "z")) {
        } else if let sign = cursor.sign() {
            guard let offsetHours = cursor.digits(2) else { return fail(ParseFailure.malformed) }
            _ = cursor.take(UInt8(ascii: ":"))
            guard let offsetMins = cursor.digits(2), offsetHours < 24, offsetMins < 60 else { return fail(ParseFailure.malformed) }
            offsetMinutes = sign * Int64(offsetHours * 60 + offsetMins)
        } else if !cursor.isAtEnd {
            return fail(ParseFailure.malformed)
        } else if !assumeUTC {
            return fail(ParseFailure.missingZone)
        }
        guard cursor.isAtEnd else { return fail(ParseFailure.malformed) }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return fail(ParseFailure.malformed) }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetMinutes * 60
        let micros = seconds * microsPerSecond + fraction
        guard micros >= minMicros, micros <= maxMicros else { return fail(ParseFailure.outOfRange) }
        return .success(micros)
    }

    /// Renders microseconds as RFC 3339 with `Z` and six fractional digits.
    public static func format(_ micros: Int64) -> String {
        let days = floorDiv(micros, microsPerDay)
        let inDay = micros - days * microsPerDay
        let (year, month, day) = civilFromDays(days)
        let secondsInDay = inDay / microsPerSecond
        // Fixed-width digits written into one small buffer: this runs per value in responses and outputs.
        return String(unsafeUninitializedCapacity: 27) { buffer in
            var index = 0
            func put(_ value: Int64, _ width: Int) {
                var v = value
                for i in stride(from: width - 1, through: 0, by: -1) {
                    buffer[index + i] = UInt8(48 + v % 10)
                    v /= 10
                }
                index += width
            }
            func literal(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            put(year, 4); literal(45); put(month, 2); literal(45); put(day, 2); literal(84)
            put(secondsInDay / 3600, 2); literal(58); put(secondsInDay / 60 % 60, 2); literal(58); put(secondsInDay % 60, 2)
            literal(46); put(inDay % microsPerSecond, 6); literal(90)
            return index
        }
    }

    /// Converts an integer epoch value in `unit` to microseconds, or nil on overflow or out of range.
    public static func fromEpoch(_ value: Int64, unit: EpochUnit) -> Int64? {
        let (micros, overflow) = value.multipliedReportingOverflow(by: unit.microsPerUnit)
        guard !overflow, micros >= minMicros, micros <= maxMicros else { return nil }
        return micros
    }

    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    public static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { ((a % b) + b) % b }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

}

/// The unit of integer epoch timestamps, declared on a source.
public enum EpochUnit: String, Codable, Sendable, CaseIterable {
    case s, ms, us

    public var microsPerUnit: Int64 {
        switch self {
        case .s: return 1_000_000
        case .ms: return 1_000
        case .us: return 1
        }
    }
}

struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    var isAtEnd: Bool { index >= bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int? {
        guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - 48)
    }

    mutating func digits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }

    mutating func sign() -> Int64? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }
}
