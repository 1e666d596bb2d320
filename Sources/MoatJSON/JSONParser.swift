import Foundation

extension JSONValue {
    /// Parses one JSON text strictly by the RFC 8259 grammar.
    ///
    /// Rejected, each with its own ``JSONError/Code``: duplicate object
    /// members, a byte order mark, ill-formed UTF-8, unescaped control
    /// characters, unpaired surrogate escapes, leading zeros, `NaN`,
    /// `Infinity`, comments, trailing commas, numbers that overflow `Double`,
    /// anything after the top-level value, and input over `limits`.
    ///
    /// - Throws: ``JSONError`` with the byte offset of the first problem.
    public static func parse(_ data: Data, limits: JSONLimits = .init()) throws(JSONError) -> JSONValue {
        try parse(bytes: [UInt8](data), limits: limits)
    }

    /// Parses one JSON text from its bytes, with the rules of ``parse(_:limits:)``, without copying them.
    public static func parse(bytes: [UInt8], limits: JSONLimits = .init()) throws(JSONError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw JSONError(
                code: .tooLarge, offset: limits.maxBytes,
                reason: "JSON text is \(bytes.count) bytes, more than the limit of \(limits.maxBytes) bytes")
        }
        var parser = JSONParser(bytes: bytes, maxDepth: limits.maxDepth)
        return try parser.parseDocument()
    }
}

/// A recursive-descent parser over the raw bytes; recursion depth is bounded by `maxDepth`.
struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var position = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// A parser that starts at `position`, inside containers nested `depth` deep.
    init(bytes: [UInt8], maxDepth: Int, position: Int, depth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.position = position
        self.depth = depth
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        // RFC 8259 §8.1: implementations must not add a byte order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw error(.byteOrderMark, "JSON text starts with a UTF-8 byte order mark; remove it")
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else {
            throw error(.trailingData, "unexpected data after the top-level JSON value")
        }
        return value
    }

    // MARK: - Values

    mutating func parseValue() throws(JSONError) -> JSONValue {
        guard let byte = peek() else {
            throw error(.unexpectedCharacter, "JSON text ended where a value was expected")
        }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected(byte, expecting: "a JSON value")
        }
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        try enterContainer()
        position += 1
        var object = JSONObject()
        // Token claim sets have about 20 members, so reserving room avoids repeated growth.
        object.reserveCapacity(16)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard peek() == UInt8(ascii: "\"") else {
                throw unexpected(peek(), expecting: "a member name in double quotes")
            }
            let key = try parseString()
            // Reject rather than pick first or last: different parsers pick differently.
            guard !object.contains(key: key) else {
                throw JSONError(
                    code: .duplicateMember, offset: keyOffset,
                    reason: "object member \"\(key)\" appears more than once; send each member once")
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            skipWhitespace()
            let value = try parseValue()
            object.appendNew(key: key, value: value)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(object)
            default: throw unexpected(peek(), expecting: "',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        try enterContainer()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            default: throw unexpected(peek(), expecting: "',' or ']' in an array")
            }
        }
    }

    mutating func enterContainer() throws(JSONError) {
        depth += 1
        guard depth <= maxDepth else {
            throw error(.tooDeep, "arrays and objects nest deeper than the limit of \(maxDepth) levels")
        }
    }

    // MARK: - Numbers

    mutating func parseNumber() throws(JSONError) -> JSONValue {
        switch try scanNumber() {
        case .integer(let value): .integer(value)
        case .double(let value): .double(value)
        }
    }

    /// A number as ``scanNumber()`` returns it, without the heap box that an
    /// indirect ``JSONValue`` case costs.
    enum ScannedNumber {
        case integer(Int64)
        case double(Double)
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func scanNumber() throws(JSONError) -> ScannedNumber {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        // Integer part: a single zero, or a non-zero digit followed by digits.
        if peek() == UInt8(ascii: "0") {
            position += 1
            if let next = peek(), isDigit(next) {
                throw error(.unexpectedCharacter, "number has a leading zero; write it without one")
            }
        } else if let next = peek(), isDigit(next) {
            skipDigits()
        } else {
            throw unexpected(peek(), expecting: "a digit")
        }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let next = peek(), isDigit(next) else { throw unexpected(peek(), expecting: "a digit after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let next = peek(), isDigit(next) else { throw unexpected(peek(), expecting: "a digit in the exponent") }
            skipDigits()
        }
        // Up to 18 digits always fit in Int64, so they are summed without building a string.
        let digitsStart = bytes[start] == UInt8(ascii: "-") ? start + 1 : start
        if isInteger, position - digitsStart <= 18 {
            var magnitude: Int64 = 0
            for index in digitsStart..<position {
                magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            }
            return .integer(digitsStart == start ? magnitude : -magnitude)
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let integer = Int64(text) {
            return .integer(integer)
        }
        guard let double = Double(text), double.isFinite else {
            throw JSONError(
                code: .numberOutOfRange, offset: start,
                reason: "number \(text.prefix(40)) is outside the range of a 64-bit floating-point value")
        }
        return .double(double)
    }

    mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: - Strings

    /// Parses a string starting at its opening quote, validating UTF-8 and
    /// copying runs of plain ASCII in one step: token claim
    /// sets are mostly such runs, and appending scalar by scalar dominated
    /// token validation time.
    mutating func parseString() throws(JSONError) -> String {
        position += 1
        let runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
            position += 1
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
            let text = String(decoding: bytes[runStart..<position], as: UTF8.self)
            position += 1
            return text
        }
        var utf8 = Array(bytes[runStart..<position])
        while true {
            guard let byte = peek() else {
                throw error(.unexpectedCharacter, "JSON text ended inside a string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                utf8.append(contentsOf: String(try parseEscape()).utf8)
            case 0x00..<0x20:
                throw error(.controlCharacter, String(format: "control character U+%04X must be escaped inside a string", byte))
            case 0x20..<0x80:
                utf8.append(byte)
                position += 1
            default:
                let start = position
                _ = try decodeUTF8Scalar()
                utf8.append(contentsOf: bytes[start..<position])
            }
        }
    }

    /// RFC 8259 §7 escapes; a `\u` surrogate must be a high one followed by `\u` low one.
    mutating func parseEscape() throws(JSONError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let byte = peek() else { throw error(.unexpectedCharacter, "JSON text ended inside an escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            if (0xDC00...0xDFFF).contains(unit) {
                throw JSONError(code: .loneSurrogate, offset: start, reason: "low surrogate escape without a preceding high surrogate")
            }
            guard (0xD800...0xDBFF).contains(unit) else {
                return Unicode.Scalar(unit)!  // Not a surrogate, so always a valid scalar.
            }
            guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw JSONError(code: .loneSurrogate, offset: start, reason: "high surrogate escape is not followed by a low surrogate escape")
            }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONError(code: .loneSurrogate, offset: start, reason: "high surrogate escape is not followed by a low surrogate escape")
            }
            let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            return Unicode.Scalar(value)!  // 0x10000...0x10FFFF by construction.
        default:
            throw JSONError(code: .invalidEscape, offset: start, reason: "escape '\\\(Character(Unicode.Scalar(byte)))' is not defined by JSON")
        }
    }

    private mutating func parseHex4() throws(JSONError) -> UInt16 {
        guard bytes.count - position >= 4 else { throw error(.invalidEscape, "\\u escape needs four hexadecimal digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape, "\\u escape needs four hexadecimal digits")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// Decodes one multi-byte UTF-8 sequence by the table in RFC 3629 §4,
    /// which excludes overlong forms, surrogates and values above U+10FFFF.
    mutating func decodeUTF8Scalar() throws(JSONError) -> Unicode.Scalar {
        let lead = bytes[position]
        let length: Int
        var value: UInt32
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0: length = 3; value = 0; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xED: length = 3; value = 0x0D; secondRange = 0x80...0x9F
        case 0xF0: length = 4; value = 0; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4; value = UInt32(lead & 0x07)
        case 0xF4: length = 4; value = 4; secondRange = 0x80...0x8F
        default: throw error(.invalidUTF8, String(format: "byte 0x%02X cannot start a UTF-8 sequence", lead))
        }
        guard bytes.count - position >= length else { throw error(.invalidUTF8, "UTF-8 sequence is truncated") }
        for index in 1..<length {
            let byte = bytes[position + index]
            let range: ClosedRange<UInt8> = index == 1 ? secondRange : 0x80...0xBF
            guard range.contains(byte) else { throw error(.invalidUTF8, "ill-formed UTF-8 sequence") }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        position += length
        return Unicode.Scalar(value)!  // The table above admits only valid scalars.
    }

    // MARK: - Helpers

    mutating func expectLiteral(_ literal: String) throws(JSONError) {
        for byte in literal.utf8 {
            guard peek() == byte else { throw unexpected(peek(), expecting: "the literal \(literal)") }
            position += 1
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        guard peek() == byte else { throw unexpected(peek(), expecting: what) }
        position += 1
    }

    /// Moves past printable ASCII other than `"` and `\\`, the bytes a string
    /// may contain as they are. Reads through a buffer pointer, because this
    /// loop covers most bytes of a token's claim set.
    mutating func skipPlainASCII() {
        let end = bytes.withUnsafeBufferPointer { buffer -> Int in
            var index = position
            // Eight bytes at a time: the lowest set bit of the mask marks the
            // first byte that ends the run, so no byte loop is needed to find it.
            if let base = buffer.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= buffer.count {
                    let mask = Self.nonPlainMask(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                    if mask != 0 {
                        return index + mask.trailingZeroBitCount / 8
                    }
                    index += 8
                }
            }
            while index < buffer.count {
                let byte = buffer[index]
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
                index += 1
            }
            return index
        }
        position = end
    }

    /// Returns a mask with the high bit set in each byte of `word` (first
    /// byte lowest) that is below 0x20, at or above 0x80, `"` or `\`, at least
    /// in the lowest such byte. Each term is the zero-byte test
    /// `(x - 0x01…01) & ~x & 0x80…80` applied to `word` XOR the quote and XOR
    /// the backslash, and its below-0x20 form subtracts 0x20 from every byte.
    /// A borrow can flag bytes above a real hit but never below one, so the
    /// lowest set bit is exact.
    @inline(__always)
    static func nonPlainMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let control = (word &- ones &* 0x20) & ~word
        let quoteHit = (quote &- ones) & ~quote
        let backslashHit = (backslash &- ones) & ~backslash
        return (control | quoteHit | backslashHit | word) & highBits
    }

    /// RFC 8259 §2: only space, tab, line feed and carriage return are whitespace.
    @inline(__always)
    mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    @inline(__always)
    func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    func error(_ code: JSONError.Code, _ reason: String) -> JSONError {
        JSONError(code: code, offset: position, reason: reason)
    }

    func unexpected(_ byte: UInt8?, expecting what: String) -> JSONError {
        guard let byte else { return error(.unexpectedCharacter, "JSON text ended where \(what) was expected") }
        let shown = (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : String(format: "byte 0x%02X", byte)
        return error(.unexpectedCharacter, "found \(shown) where \(what) was expected")
    }
}
