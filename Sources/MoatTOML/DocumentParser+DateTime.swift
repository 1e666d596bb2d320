extension DocumentParser {
    /// Whether the current position starts a date (`DDDD-`) or a time
    /// (`DD:`) rather than a number.
    func lookingAtDateOrTime() -> Bool {
        let isDate = (0..<4).allSatisfy { peek($0)?.isDigit == true } && peek(4) == .minus
        let isTime = (0..<2).allSatisfy { peek($0)?.isDigit == true } && peek(2) == .colon
        return isDate || isTime
    }

    /// Parses one of the four date-time kinds: RFC 3339, except that `T` may
    /// be a space and the date or the offset may be absent, as TOML 1.0.0
    /// allows. Seconds are required, and fractions beyond nanoseconds are
    /// truncated.
    mutating func parseDateTime() throws(TOMLError) -> TOMLValue {
        let start = index
        if peek(2) == .colon {
            return .localTime(TOMLDateTime(date: nil, time: try parsePartialTime(start: start)))
        }

        let date = try parseFullDate(start: start)
        let hasTime: Bool
        switch peek() {
        case UInt8(ascii: "T"), UInt8(ascii: "t"):
            hasTime = true
        case .space:
            // A space separates date and time only when a time follows.
            // Otherwise it ends the value, as in `d = 1979-05-27 # comment`.
            hasTime = peek(1)?.isDigit == true && peek(2)?.isDigit == true && peek(3) == .colon
        default:
            hasTime = false
        }
        guard hasTime else {
            return .localDate(TOMLDateTime(date: date, time: nil))
        }
        index += 1
        let time = try parsePartialTime(start: start)

        switch peek() {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            return .offsetDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: 0))
        case .plus, .minus:
            let isNegative = peek() == .minus
            index += 1
            let hours = try parseTwoDigits(start: start, component: "offset hour")
            try expectDateTimeSeparator(.colon, start: start, component: "offset")
            let minutes = try parseTwoDigits(start: start, component: "offset minute")
            guard hours <= 23, minutes <= 59 else {
                throw error(.invalidDateTime, "offset \(twoDigits(hours)):\(twoDigits(minutes)) is out of range; use hours 00-23 and minutes 00-59", at: start)
            }
            let offset = hours * 60 + minutes
            return .offsetDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: isNegative ? -offset : offset))
        default:
            return .localDateTime(TOMLDateTime(date: date, time: time))
        }
    }

    private mutating func parseFullDate(start: Int) throws(TOMLError) -> TOMLDateTime.FullDate {
        var year = 0
        for _ in 0..<4 {
            year = year * 10 + Int(bytes[index] - 0x30)
            index += 1
        }
        try expectDateTimeSeparator(.minus, start: start, component: "date")
        let month = try parseTwoDigits(start: start, component: "month")
        try expectDateTimeSeparator(.minus, start: start, component: "date")
        let day = try parseTwoDigits(start: start, component: "day")
        guard (1...12).contains(month) else {
            throw error(.invalidDateTime, "month \(month) is out of range; use 01-12", at: start)
        }
        let lastDay = TOMLDateTime.FullDate.daysInMonth(month, year: year)
        guard (1...lastDay).contains(day) else {
            throw error(.invalidDateTime, "day \(day) is out of range for month \(month) of year \(year); use 01-\(lastDay)", at: start)
        }
        return TOMLDateTime.FullDate(year: year, month: month, day: day)
    }

    private mutating func parsePartialTime(start: Int) throws(TOMLError) -> TOMLDateTime.PartialTime {
        let hour = try parseTwoDigits(start: start, component: "hour")
        try expectDateTimeSeparator(.colon, start: start, component: "time")
        let minute = try parseTwoDigits(start: start, component: "minute")
        try expectDateTimeSeparator(.colon, start: start, component: "time, because TOML 1.0.0 requires seconds")
        let second = try parseTwoDigits(start: start, component: "second")
        guard hour <= 23, minute <= 59, second <= 60 else {
            throw error(.invalidDateTime, "time \(twoDigits(hour)):\(twoDigits(minute)):\(twoDigits(second)) is out of range; use hours 00-23, minutes 00-59 and seconds 00-60", at: start)
        }

        var nanosecond = 0
        if peek() == .dot {
            index += 1
            var digitCount = 0
            while let byte = peek(), byte.isDigit {
                if digitCount < 9 {
                    nanosecond = nanosecond * 10 + Int(byte - 0x30)
                }
                digitCount += 1
                index += 1
            }
            guard digitCount > 0 else {
                throw error(.invalidDateTime, "fraction of a second needs at least one digit after the '.'", at: start)
            }
            for _ in digitCount..<max(digitCount, 9) {
                nanosecond *= 10
            }
        }
        return TOMLDateTime.PartialTime(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    private mutating func parseTwoDigits(start: Int, component: String) throws(TOMLError) -> Int {
        guard let tens = peek(), tens.isDigit, let ones = peek(1), ones.isDigit else {
            throw error(.invalidDateTime, "\(component) needs exactly two digits; write dates as YYYY-MM-DD and times as HH:MM:SS", at: start)
        }
        index += 2
        return Int(tens - 0x30) * 10 + Int(ones - 0x30)
    }

    private func twoDigits(_ number: Int) -> String {
        number < 10 ? "0\(number)" : "\(number)"
    }

    private mutating func expectDateTimeSeparator(_ separator: UInt8, start: Int, component: String) throws(TOMLError) {
        guard peek() == separator else {
            throw error(.invalidDateTime, "expected '\(Character(Unicode.Scalar(separator)))' in \(component); write dates as YYYY-MM-DD and times as HH:MM:SS", at: start)
        }
        index += 1
    }
}
