/// Recursive-descent parser over the UTF-8 bytes of one TOML document.
///
/// The input must already be valid UTF-8, so non-ASCII bytes are copied into
/// strings without decoding. Grammar references are to the ABNF of
/// TOML 1.0.0 (https://toml.io/en/v1.0.0).
struct DocumentParser {
    /// Deepest nesting of tables and arrays, counting the parts of header
    /// and dotted keys as well as arrays and inline tables, and most parts
    /// in one key. Bounds recursion so hostile input cannot exhaust the
    /// stack while parsing, comparing or freeing the result.
    static let maximumNesting = 128

    let bytes: [UInt8]
    var index: Int
    /// Depth of the table or array that the value being parsed goes into;
    /// the root table is at depth 0.
    var nesting = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark is allowed at the very start only.
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        index = bytes.starts(with: byteOrderMark) ? 3 : 0
    }

    var isAtEnd: Bool { index >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let position = index + offset
        return position < bytes.count ? bytes[position] : nil
    }

    /// Whether the bytes at the current position spell `text`.
    func lookingAt(_ text: String) -> Bool {
        var position = index
        for byte in text.utf8 {
            guard position < bytes.count, bytes[position] == byte else {
                return false
            }
            position += 1
        }
        return true
    }

    mutating func expect(_ byte: UInt8, _ context: String) throws(TOMLError) {
        guard peek() == byte else {
            throw unexpectedCharacterError("expected '\(Character(Unicode.Scalar(byte)))' \(context), found \(describeCurrent())")
        }
        index += 1
    }

    // MARK: - Whitespace, comments and newlines

    /// Skips spaces and tabs (ABNF `ws`).
    mutating func skipWhitespace() {
        while let byte = peek(), byte == .space || byte == .tab {
            index += 1
        }
    }

    /// Skips a comment starting at `#`, up to but excluding the newline.
    /// Comments may contain tabs and any non-control character.
    mutating func skipComment() throws(TOMLError) {
        index += 1
        while let byte = peek() {
            if byte == .lineFeed || (byte == .carriageReturn && peek(1) == .lineFeed) {
                return
            }
            if byte.isControl {
                throw controlCharacterError(in: "comments")
            }
            index += 1
        }
    }

    /// Consumes LF or CRLF if present and returns whether it did. A carriage
    /// return without a line feed is an error.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        switch peek() {
        case .lineFeed:
            index += 1
            return true
        case .carriageReturn:
            guard peek(1) == .lineFeed else {
                throw controlCharacterError(in: "TOML")
            }
            index += 2
            return true
        default:
            return false
        }
    }

    /// Skips whitespace, comments and newlines, as allowed between array
    /// elements (ABNF `ws-comment-newline`).
    mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipWhitespace()
            if peek() == .hash {
                try skipComment()
            }
            if try !consumeNewline() {
                return
            }
        }
    }

    /// Requires the end of an expression: optional whitespace and comment,
    /// then a newline or the end of input.
    mutating func finishLine(after what: String) throws(TOMLError) {
        skipWhitespace()
        if peek() == .hash {
            try skipComment()
        }
        if isAtEnd {
            return
        }
        if try !consumeNewline() {
            throw unexpectedCharacterError("expected a newline after \(what), found \(describeCurrent()); put each key/value pair and table header on its own line")
        }
    }
}
