extension DocumentParser {
    /// Parses an integer or float starting at the current position.
    ///
    /// The token runs over the characters a number may contain, and whatever
    /// follows it is checked by the caller. Underscores must sit between two
    /// digits, decimal integer parts take no leading zeros, and only decimal
    /// integers may carry a sign.
    mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let start = index
        while let byte = peek(), byte.isBareKeyCharacter || byte == .plus || byte == .dot {
            index += 1
        }
        let token = bytes[start..<index]
        let text = String(decoding: token, as: UTF8.self)

        var unsigned = token
        var isNegative = false
        if let sign = unsigned.first, sign == .plus || sign == .minus {
            isNegative = sign == .minus
            unsigned = unsigned.dropFirst()
        }

        if unsigned.elementsEqual("inf".utf8) {
            return .float(isNegative ? -.infinity : .infinity)
        }
        if unsigned.elementsEqual("nan".utf8) {
            return .float(isNegative ? -.nan : .nan)
        }
        guard unsigned.first?.isDigit == true else {
            throw error(.unexpectedCharacter, "invalid value \(text); expected a number, inf or nan in lower case, true or false, or a quoted string", at: start)
        }
        if let radix = radixPrefix(unsigned) {
            guard unsigned.count == token.count else {
                throw error(.invalidInteger, "integer \(text) has a sign, but only decimal integers may be signed", at: start)
            }
            return .integer(try parseRadixInteger(unsigned.dropFirst(2), radix: radix, text: text, start: start))
        }
        if unsigned.contains(where: { $0 == .dot || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return .float(try parseFloat(unsigned, isNegative: isNegative, text: text, start: start))
        }
        return .integer(try parseDecimalInteger(unsigned, isNegative: isNegative, text: text, start: start))
    }

    private func radixPrefix(_ token: ArraySlice<UInt8>) -> Int? {
        guard token.count >= 2, token.first == UInt8(ascii: "0") else {
            return nil
        }
        switch token[token.startIndex + 1] {
        case UInt8(ascii: "x"): return 16
        case UInt8(ascii: "o"): return 8
        case UInt8(ascii: "b"): return 2
        default: return nil
        }
    }

    private func parseDecimalInteger(_ digits: ArraySlice<UInt8>, isNegative: Bool, text: String, start: Int) throws(TOMLError) -> Int64 {
        guard isDigitGroup(digits, where: \.isDigit) else {
            if digits.contains(.minus) || digits.contains(.colon) {
                throw error(.invalidDateTime, "invalid date or time \(text); write dates as YYYY-MM-DD with a four-digit year, and times as HH:MM:SS", at: start)
            }
            throw error(.invalidInteger, "invalid integer \(text); write digits 0-9 with single underscores only between digits", at: start)
        }
        guard digits.count == 1 || digits.first != UInt8(ascii: "0") else {
            throw error(.invalidInteger, "integer \(text) has a leading zero; remove it, or use the 0x, 0o or 0b prefix", at: start)
        }
        var magnitude: UInt64 = 0
        for byte in digits where byte != .underscore {
            let (shifted, overflowMultiply) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflowMultiply, !overflowAdd else {
                throw overflowError(text, start: start)
            }
            magnitude = sum
        }
        if isNegative {
            guard magnitude <= UInt64(Int64.max) + 1 else {
                throw overflowError(text, start: start)
            }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else {
            throw overflowError(text, start: start)
        }
        return Int64(magnitude)
    }

    private func parseRadixInteger(_ digits: ArraySlice<UInt8>, radix: Int, text: String, start: Int) throws(TOMLError) -> Int64 {
        let isValidDigit: (UInt8) -> Bool = switch radix {
        case 16: \.isHexDigit
        case 8: { $0 >= 0x30 && $0 <= 0x37 }
        default: { $0 == 0x30 || $0 == 0x31 }
        }
        guard isDigitGroup(digits, where: isValidDigit) else {
            throw error(.invalidInteger, "invalid base-\(radix) integer \(text); use lower-case prefixes 0x, 0o or 0b followed by base-\(radix) digits, with single underscores only between digits", at: start)
        }
        var magnitude: UInt64 = 0
        for byte in digits where byte != .underscore {
            let (shifted, overflowMultiply) = magnitude.multipliedReportingOverflow(by: UInt64(radix))
            let (sum, overflowAdd) = shifted.addingReportingOverflow(UInt64(hexDigitValue(byte)))
            guard !overflowMultiply, !overflowAdd, sum <= UInt64(Int64.max) else {
                throw overflowError(text, start: start)
            }
            magnitude = sum
        }
        return Int64(magnitude)
    }

    private func overflowError(_ text: String, start: Int) -> TOMLError {
        error(.integerOverflow, "integer \(text) is outside the 64-bit signed range -9223372036854775808 to 9223372036854775807", at: start)
    }

    /// Validates the float grammar `dec-int [frac] [exp]` (at least one of
    /// the two) on an unsigned token, then converts it.
    private func parseFloat(_ token: ArraySlice<UInt8>, isNegative: Bool, text: String, start: Int) throws(TOMLError) -> Double {
        let invalid = error(.invalidFloat, "invalid float \(text); write digits before and after the '.', an optional exponent like e-3, and single underscores only between digits", at: start)

        let exponentIndex = token.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = token[..<(exponentIndex ?? token.endIndex)]
        let dotIndex = mantissa.firstIndex(of: .dot)
        let integerPart = mantissa[..<(dotIndex ?? mantissa.endIndex)]

        guard isDigitGroup(integerPart, where: \.isDigit) else {
            throw invalid
        }
        guard integerPart.count == 1 || integerPart.first != UInt8(ascii: "0") else {
            throw error(.invalidFloat, "float \(text) has a leading zero in its integer part; remove it", at: start)
        }
        if let dotIndex {
            guard isDigitGroup(mantissa[(dotIndex + 1)...], where: \.isDigit) else {
                throw invalid
            }
        }
        if let exponentIndex {
            var exponent = token[(exponentIndex + 1)...]
            if let sign = exponent.first, sign == .plus || sign == .minus {
                exponent = exponent.dropFirst()
            }
            guard isDigitGroup(exponent, where: \.isDigit) else {
                throw invalid
            }
        }

        let plain = String(decoding: token.filter { $0 != .underscore }, as: UTF8.self)
        guard let magnitude = Double(plain) else {
            throw invalid
        }
        return isNegative ? -magnitude : magnitude
    }

    /// Whether `digits` is one or more digits with single underscores
    /// strictly between digits.
    private func isDigitGroup(_ digits: ArraySlice<UInt8>, where isValidDigit: (UInt8) -> Bool) -> Bool {
        guard let first = digits.first, let last = digits.last, isValidDigit(first), isValidDigit(last) else {
            return false
        }
        var previousWasUnderscore = false
        for byte in digits {
            if byte == .underscore {
                if previousWasUnderscore {
                    return false
                }
                previousWasUnderscore = true
            } else if isValidDigit(byte) {
                previousWasUnderscore = false
            } else {
                return false
            }
        }
        return true
    }
}
