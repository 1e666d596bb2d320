/// A document that is not valid TOML 1.0.0, with the position of the first
/// problem found.
///
/// The parser stops at the first error, so `line` and `column` point at the
/// byte where parsing failed, which is at or after the real mistake.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable category of a parse error.
    ///
    /// The raw values are snake_case strings meant for logs and API responses.
    /// New cases may be added, but existing raw values never change.
    public enum Code: String, Sendable, CaseIterable {
        /// The input bytes are not valid UTF-8.
        case invalidUTF8 = "invalid_utf8"
        /// A control character (U+0000 to U+001F except tab, or U+007F), or a
        /// carriage return not followed by a line feed.
        case controlCharacter = "control_character"
        /// A character that the grammar does not allow at this point.
        case unexpectedCharacter = "unexpected_character"
        /// The input ends where more was required.
        case unexpectedEndOfInput = "unexpected_end_of_input"
        /// A bare key that is empty or contains characters outside
        /// `A-Za-z0-9_-`.
        case invalidKey = "invalid_key"
        /// A string without its closing delimiter, or a single-line string
        /// that contains a newline.
        case invalidString = "invalid_string"
        /// An unknown escape sequence, or `\u`/`\U` naming no Unicode scalar.
        case invalidEscape = "invalid_escape"
        /// An integer with bad digits, leading zeros or misplaced underscores.
        case invalidInteger = "invalid_integer"
        /// An integer outside the signed 64-bit range.
        case integerOverflow = "integer_overflow"
        /// A float with a missing part, leading zeros or misplaced underscores.
        case invalidFloat = "invalid_float"
        /// A date or time with a bad shape or a component out of range.
        case invalidDateTime = "invalid_date_time"
        /// A key assigned twice, or used as a table after holding a value.
        case duplicateKey = "duplicate_key"
        /// A table defined twice, by headers or by a header after dotted keys.
        case duplicateTable = "duplicate_table"
        /// A key added to an inline table after its closing brace.
        case immutableInlineTable = "immutable_inline_table"
        /// A `[[header]]` or key path naming an array that was assigned as a value.
        case immutableArray = "immutable_array"
        /// Arrays, inline tables or key paths nested deeper than the parser allows.
        case nestingTooDeep = "nesting_too_deep"
    }

    /// 1-based line of the offending input, counting line feeds.
    public let line: Int
    /// 1-based column of the offending input, counted in Unicode scalars.
    public let column: Int
    /// Stable machine-readable category.
    public let code: Code
    /// Human sentence naming the problem and how to fix it.
    public let reason: String

    /// Creates an error at a known position.
    public init(line: Int, column: Int, code: Code, reason: String) {
        self.line = line
        self.column = column
        self.code = code
        self.reason = reason
    }

    /// The position followed by the reason, as in `line 3, column 7: <reason>`.
    public var description: String {
        "line \(line), column \(column): \(reason)"
    }
}
