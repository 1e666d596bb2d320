import Foundation

/// Parser for TOML 1.0.0 documents (https://toml.io/en/v1.0.0).
///
/// Parsing is strict: every rule of the specification is enforced, and the
/// first violation throws a `TOMLError` with its line and column. Line
/// endings may be LF or CRLF, and a UTF-8 byte order mark at the start is
/// skipped. Tables and arrays may nest at most 128 levels deep, counting
/// header keys, dotted keys, arrays and inline tables, and a key may have at
/// most 128 dotted parts.
public enum TOMLParser {
    /// Parses a document from text.
    ///
    /// - Returns: the root table, keys in document order.
    /// - Throws: `TOMLError` for the first syntax or redefinition error.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = DocumentParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    /// Parses a document from raw bytes, which must be UTF-8.
    ///
    /// - Throws: `TOMLError` with code `invalid_utf8` and the position of the
    ///   first malformed byte sequence, or any error that `parse(_: String)`
    ///   throws.
    public static func parse(_ data: Data) throws(TOMLError) -> TOMLTable {
        let bytes = [UInt8](data)
        if let offset = firstInvalidUTF8Offset(in: bytes) {
            let position = TextPosition(bytes: bytes, offset: offset)
            throw TOMLError(
                line: position.line,
                column: position.column,
                code: .invalidUTF8,
                reason: "the input is not valid UTF-8 at byte offset \(offset); save the file as UTF-8"
            )
        }
        var parser = DocumentParser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// The offset of the first byte that does not start a well-formed UTF-8
    /// sequence (overlong forms and surrogates are rejected), or `nil`.
    static func firstInvalidUTF8Offset(in bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }
}

extension DocumentParser {
    /// Parses the whole document: a sequence of lines, each empty, a
    /// comment, a key/value pair or a table header.
    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        let root = TableNode(origin: .header)
        var current = root
        var currentDepth = 0
        while !isAtEnd {
            skipWhitespace()
            switch peek() {
            case nil, .hash, .lineFeed, .carriageReturn:
                try finishLine(after: "a comment")
            case .leftBracket:
                (current, currentDepth) = try parseTableHeader(root: root)
                try finishLine(after: "a table header")
            default:
                let (key, value) = try parseKeyValue(tableDepth: currentDepth)
                try assign(value, to: key, in: current)
                try finishLine(after: "the value of \(key.dottedDescription)")
            }
        }
        return root.makeTable()
    }

    /// Parses `[key]` or `[[key]]` and returns the table that the following
    /// key/value pairs go into, with its depth below the root.
    private mutating func parseTableHeader(root: TableNode) throws(TOMLError) -> (table: TableNode, depth: Int) {
        let isArray = peek(1) == .leftBracket
        index += isArray ? 2 : 1
        skipWhitespace()
        let path = try parseKey()
        skipWhitespace()
        try expect(.rightBracket, isArray ? "to close the [[\(path.dottedDescription)]] header" : "to close the [\(path.dottedDescription)] header")
        if isArray {
            try expect(.rightBracket, "to close the [[\(path.dottedDescription)]] header")
            return (try appendTableArrayElement(path, in: root), path.count)
        }
        return (try defineTable(path, in: root), path.count)
    }
}
