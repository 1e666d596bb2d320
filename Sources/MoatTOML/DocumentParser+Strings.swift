extension DocumentParser {
    /// Parses any of the four string kinds at the current position, which
    /// must be a quote or an apostrophe.
    mutating func parseString() throws(TOMLError) -> String {
        if lookingAt("\"\"\"") {
            return try parseMultilineString(delimiter: .quote)
        }
        if lookingAt("'''") {
            return try parseMultilineString(delimiter: .apostrophe)
        }
        return try parseSingleLineString()
    }

    /// Parses a basic (`"..."`) or literal (`'...'`) string on one line, as
    /// used for values and quoted keys.
    mutating func parseSingleLineString() throws(TOMLError) -> String {
        let start = index
        let delimiter = bytes[index]
        let kind = delimiter == .quote ? "basic string" : "literal string"
        index += 1
        var content: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw error(.invalidString, "\(kind) is not closed; add the closing \(describeDelimiter(delimiter))", at: start)
            }
            switch byte {
            case delimiter:
                index += 1
                return String(decoding: content, as: UTF8.self)
            case .backslash where delimiter == .quote:
                try parseEscape(into: &content)
            case .lineFeed, .carriageReturn:
                throw error(.invalidString, "\(kind) is not closed before the end of the line; close it, or use a multi-line string with \(describeDelimiter(delimiter, count: 3))", at: start)
            case _ where byte.isControl:
                throw controlCharacterError(in: "a \(kind)")
            default:
                content.append(byte)
                index += 1
            }
        }
    }

    /// Parses a multi-line basic (`"""`) or literal (`'''`) string. A newline
    /// right after the opening delimiter is trimmed, and up to two delimiter
    /// characters may precede the closing delimiter. Every newline in the
    /// content, CRLF included, is returned as LF.
    private mutating func parseMultilineString(delimiter: UInt8) throws(TOMLError) -> String {
        let start = index
        let isBasic = delimiter == .quote
        let kind = isBasic ? "multi-line basic string" : "multi-line literal string"
        index += 3
        _ = try consumeNewline()
        var content: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw error(.invalidString, "\(kind) is not closed; add the closing \(describeDelimiter(delimiter, count: 3))", at: start)
            }
            switch byte {
            case delimiter:
                var run = 0
                while peek(run) == delimiter && run < 5 {
                    run += 1
                }
                if run < 3 {
                    content.append(contentsOf: repeatElement(delimiter, count: run))
                    index += run
                } else {
                    // Quotes before the closing three belong to the content.
                    // A sixth is left for the caller to reject.
                    content.append(contentsOf: repeatElement(delimiter, count: run - 3))
                    index += run
                    return String(decoding: content, as: UTF8.self)
                }
            case .backslash where isBasic:
                if try !skipLineEndingBackslash() {
                    try parseEscape(into: &content)
                }
            case .lineFeed, .carriageReturn:
                _ = try consumeNewline()
                content.append(.lineFeed)
            case _ where byte.isControl:
                throw controlCharacterError(in: "a \(kind)")
            default:
                content.append(byte)
                index += 1
            }
        }
    }

    /// Skips a backslash that ends a line in a multi-line basic string, with
    /// all whitespace and newlines after it. Returns `false`, consuming
    /// nothing, when the backslash starts an ordinary escape.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var lookahead = 1
        while let byte = peek(lookahead), byte == .space || byte == .tab {
            lookahead += 1
        }
        guard peek(lookahead) == .lineFeed || (peek(lookahead) == .carriageReturn && peek(lookahead + 1) == .lineFeed) else {
            return false
        }
        index += lookahead
        try skipWhitespaceAndNewlines()
        return true
    }

    private mutating func skipWhitespaceAndNewlines() throws(TOMLError) {
        while true {
            skipWhitespace()
            if try !consumeNewline() {
                return
            }
        }
    }

    /// Parses one escape sequence starting at a backslash and appends its
    /// UTF-8 bytes. TOML 1.0.0 allows `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`.
    private mutating func parseEscape(into content: inout [UInt8]) throws(TOMLError) {
        let start = index
        index += 1
        guard let letter = peek() else {
            throw error(.invalidString, "string is not closed after a backslash", at: start)
        }
        index += 1
        switch letter {
        case UInt8(ascii: "b"): content.append(0x08)
        case UInt8(ascii: "t"): content.append(.tab)
        case UInt8(ascii: "n"): content.append(.lineFeed)
        case UInt8(ascii: "f"): content.append(0x0C)
        case UInt8(ascii: "r"): content.append(.carriageReturn)
        case .quote: content.append(.quote)
        case .backslash: content.append(.backslash)
        case UInt8(ascii: "u"):
            try appendUnicodeEscape(digitCount: 4, start: start, into: &content)
        case UInt8(ascii: "U"):
            try appendUnicodeEscape(digitCount: 8, start: start, into: &content)
        default:
            index = start + 1
            throw error(.invalidEscape, "a backslash followed by \(describeCurrent()) is not a valid escape; valid escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX and \\UXXXXXXXX, and a literal backslash is written \\\\", at: start)
        }
    }

    private mutating func appendUnicodeEscape(digitCount: Int, start: Int, into content: inout [UInt8]) throws(TOMLError) {
        var value: UInt32 = 0
        for _ in 0..<digitCount {
            guard let byte = peek(), byte.isHexDigit else {
                throw error(.invalidEscape, "escape \\\(digitCount == 4 ? "u" : "U") needs exactly \(digitCount) hexadecimal digits", at: start)
            }
            value = value << 4 | UInt32(hexDigitValue(byte))
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error(.invalidEscape, "escape names U+\(String(value, radix: 16, uppercase: true)), which is not a Unicode scalar value; surrogates and values above 10FFFF are not allowed", at: start)
        }
        content.append(contentsOf: String(scalar).utf8)
    }

    private func describeDelimiter(_ delimiter: UInt8, count: Int = 1) -> String {
        String(repeating: delimiter == .quote ? "\"" : "'", count: count)
    }
}

func hexDigitValue(_ byte: UInt8) -> UInt8 {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    default: byte - 0x61 + 10
    }
}
