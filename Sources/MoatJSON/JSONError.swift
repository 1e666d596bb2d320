/// Limits applied while parsing untrusted JSON, checked before any value is built.
public struct JSONLimits: Sendable {
    /// Maximum nesting of arrays and objects; the top-level value is depth 1. Default 32.
    public var maxDepth: Int
    /// Maximum input size in bytes. Default 1 MiB (1 048 576 bytes).
    public var maxBytes: Int

    public init(maxDepth: Int = 32, maxBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

/// A rejected JSON text: a stable machine ``code``, the byte ``offset`` where
/// parsing stopped, and a human ``reason``. Errors compare equal by all three.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A closed set of failure kinds, compared by their snake_case name.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// An object names the same member twice (RFC 8259 §4 leaves this to the parser; Moat rejects).
        public static let duplicateMember = Code("duplicate_member")
        /// The bytes are not well-formed UTF-8 (RFC 8259 §8.1).
        public static let invalidUTF8 = Code("invalid_utf8")
        /// The text starts with a UTF-8 byte order mark (RFC 8259 §8.1 forbids adding one).
        public static let byteOrderMark = Code("byte_order_mark")
        /// A byte that the grammar does not allow here, or the text ended early.
        public static let unexpectedCharacter = Code("unexpected_character")
        /// Non-whitespace after the top-level value.
        public static let trailingData = Code("trailing_data")
        /// Nesting deeper than ``JSONLimits/maxDepth``.
        public static let tooDeep = Code("too_deep")
        /// Input longer than ``JSONLimits/maxBytes``.
        public static let tooLarge = Code("too_large")
        /// A number that overflows a `Double` to infinity.
        public static let numberOutOfRange = Code("number_out_of_range")
        /// A backslash escape that RFC 8259 §7 does not define.
        public static let invalidEscape = Code("invalid_escape")
        /// A `\u` escape of a UTF-16 surrogate without its partner.
        public static let loneSurrogate = Code("lone_surrogate")
        /// An unescaped control character (U+0000 to U+001F) inside a string.
        public static let controlCharacter = Code("control_character")
    }

    public let code: Code
    /// Byte offset into the input where the problem was found.
    public let offset: Int
    public let reason: String

    public init(code: Code, offset: Int, reason: String) {
        self.code = code
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(code.name) at byte \(offset): \(reason)" }
}
