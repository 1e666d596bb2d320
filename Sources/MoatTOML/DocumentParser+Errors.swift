extension DocumentParser {
    /// Builds an error at byte `offset` (default: the current position),
    /// converting it to a 1-based line and column.
    func error(_ code: TOMLError.Code, _ reason: String, at offset: Int? = nil) -> TOMLError {
        let position = TextPosition(bytes: bytes, offset: offset ?? index)
        return TOMLError(line: position.line, column: position.column, code: code, reason: reason)
    }

    /// Builds the error for a character that the grammar does not allow at
    /// the current position. The code is `unexpected_end_of_input` at the
    /// end and `control_character` for control characters except newlines.
    func unexpectedCharacterError(_ reason: String) -> TOMLError {
        guard let byte = peek() else {
            return error(.unexpectedEndOfInput, reason)
        }
        let isNewline = byte == .lineFeed || byte == .carriageReturn
        return error(byte.isControl && !isNewline ? .controlCharacter : .unexpectedCharacter, reason)
    }

    /// Builds the error for a control character at the current position.
    func controlCharacterError(in context: String) -> TOMLError {
        if peek() == .carriageReturn {
            return error(.controlCharacter, "a carriage return must be followed by a line feed; use LF or CRLF line endings")
        }
        return error(.controlCharacter, "control character \(describeCurrent()) is not allowed in \(context); remove it or write it as an escape in a basic string")
    }

    /// Describes the character at the current position for error messages,
    /// such as `'x'`, `newline`, `U+0007` or `end of input`.
    func describeCurrent() -> String {
        guard let byte = peek() else {
            return "end of input"
        }
        switch byte {
        case .lineFeed, .carriageReturn:
            return "a newline"
        case 0x21...0x7E:
            return "'\(Character(Unicode.Scalar(byte)))'"
        case .space:
            return "a space"
        case 0x80...:
            var iterator = bytes[index...].makeIterator()
            var decoder = UTF8()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) {
                return "'\(scalar)' (U+\(hex(scalar.value)))"
            }
            return "byte 0x\(hex(UInt32(byte)))"
        default:
            return "U+\(hex(UInt32(byte)))"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// A 1-based line and column computed from a byte offset.
struct TextPosition {
    let line: Int
    let column: Int

    /// Counts line feeds before `offset` for the line, and Unicode scalars
    /// (bytes that are not UTF-8 continuation bytes) since the last line
    /// feed for the column.
    init(bytes: [UInt8], offset: Int) {
        let end = min(offset, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<end] {
            if byte == .lineFeed {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.line = line
        self.column = column
    }
}

extension UInt8 {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let apostrophe: UInt8 = 0x27
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let leftBrace: UInt8 = 0x7B
    static let rightBrace: UInt8 = 0x7D

    /// U+0000 to U+001F except tab, and U+007F: never allowed verbatim.
    var isControl: Bool { (self < 0x20 && self != .tab) || self == 0x7F }

    var isDigit: Bool { self >= 0x30 && self <= 0x39 }

    var isHexDigit: Bool { isDigit || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66) }

    /// A character allowed in a bare key: `A-Za-z0-9_-`.
    var isBareKeyCharacter: Bool {
        isDigit || (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || self == .underscore || self == .minus
    }
}
