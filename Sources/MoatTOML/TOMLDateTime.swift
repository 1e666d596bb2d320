/// A TOML date-time value, keeping the components exactly as parsed.
///
/// The parts present decide the TOML type. Date, time and offset make an
/// offset date-time, date and time a local date-time, and a date or a time
/// alone a local date or a local time. Fractions of a second beyond
/// nanoseconds are truncated, as TOML 1.0.0 requires. `description` prints
/// the RFC 3339 form (`1979-05-27T07:32:00.5-07:00`), with `Z` for a zero
/// offset.
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    /// A calendar date, RFC 3339 `full-date`.
    public struct FullDate: Sendable, Hashable {
        /// Year, 0 to 9999.
        public var year: Int
        /// Month, 1 to 12.
        public var month: Int
        /// Day of the month, 1 to 28, 29, 30 or 31 depending on the month.
        public var day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }
    }

    /// A time of day, RFC 3339 `partial-time`.
    public struct PartialTime: Sendable, Hashable {
        /// Hour, 0 to 23.
        public var hour: Int
        /// Minute, 0 to 59.
        public var minute: Int
        /// Second, 0 to 60, where 60 is a leap second.
        public var second: Int
        /// Fraction of the second in nanoseconds, 0 to 999 999 999.
        public var nanosecond: Int

        public init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
            self.hour = hour
            self.minute = minute
            self.second = second
            self.nanosecond = nanosecond
        }
    }

    /// The date, or `nil` for a local time.
    public var date: FullDate?
    /// The time of day, or `nil` for a local date.
    public var time: PartialTime?
    /// Offset from UTC in minutes (east positive), or `nil` for local values.
    public var offsetMinutes: Int?

    public init(date: FullDate?, time: PartialTime?, offsetMinutes: Int? = nil) {
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// The RFC 3339 text, with an upper-case `T` between date and time, the
    /// fraction printed without trailing zeros, and `Z` for a zero offset.
    public var description: String {
        var text = ""
        if let date {
            text += pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
        }
        if let time {
            if date != nil {
                text += "T"
            }
            text += pad(time.hour, 2) + ":" + pad(time.minute, 2) + ":" + pad(time.second, 2)
            if time.nanosecond > 0 {
                var fraction = pad(time.nanosecond, 9)
                while fraction.hasSuffix("0") {
                    fraction.removeLast()
                }
                text += "." + fraction
            }
        }
        if let offsetMinutes {
            if offsetMinutes == 0 {
                text += "Z"
            } else {
                let magnitude = abs(offsetMinutes)
                text += (offsetMinutes < 0 ? "-" : "+") + pad(magnitude / 60, 2) + ":" + pad(magnitude % 60, 2)
            }
        }
        return text
    }

    private func pad(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension TOMLDateTime.FullDate {
    /// Number of days in `month` of `year` in the proleptic Gregorian
    /// calendar, as RFC 3339 section 5.7 requires for validation.
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let isLeapYear = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return isLeapYear ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }
}
