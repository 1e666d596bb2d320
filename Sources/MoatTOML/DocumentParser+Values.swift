extension DocumentParser {
    /// Parses a possibly dotted key (ABNF `key`): simple keys separated by
    /// dots, with optional whitespace around each dot.
    mutating func parseKey() throws(TOMLError) -> [KeyPart] {
        var parts = [try parseSimpleKey()]
        while true {
            let beforeWhitespace = index
            skipWhitespace()
            guard peek() == .dot else {
                index = beforeWhitespace
                return parts
            }
            index += 1
            skipWhitespace()
            guard parts.count < Self.maximumNesting else {
                throw error(.nestingTooDeep, "key has more than \(Self.maximumNesting) dotted parts; use a shorter key")
            }
            parts.append(try parseSimpleKey())
        }
    }

    /// Parses a bare key (`A-Za-z0-9_-`, at least one) or a single-line
    /// quoted key, which may be empty.
    private mutating func parseSimpleKey() throws(TOMLError) -> KeyPart {
        let start = index
        if peek() == .quote || peek() == .apostrophe {
            if lookingAt("\"\"\"") || lookingAt("'''") {
                throw error(.invalidKey, "a key cannot be a multi-line string; quote it with \" or '")
            }
            return KeyPart(name: try parseSingleLineString(), offset: start)
        }
        while let byte = peek(), byte.isBareKeyCharacter {
            index += 1
        }
        guard index > start else {
            throw error(.invalidKey, "expected a key, found \(describeCurrent()); bare keys use only A-Za-z0-9_- and other keys must be quoted")
        }
        return KeyPart(name: String(decoding: bytes[start..<index], as: UTF8.self), offset: start)
    }

    /// Parses `key = value` for a table at depth `tableDepth`, and checks
    /// that the tables which the dotted key creates stay within the nesting
    /// limit.
    mutating func parseKeyValue(tableDepth: Int) throws(TOMLError) -> (key: [KeyPart], value: TOMLValue) {
        let key = try parseKey()
        skipWhitespace()
        try expect(.equals, "after the key \(key.dottedDescription)")
        skipWhitespace()

        let containerDepth = tableDepth + key.count - 1
        guard containerDepth <= Self.maximumNesting else {
            throw error(.nestingTooDeep, "key \(key.dottedDescription) nests tables more than \(Self.maximumNesting) levels deep; use a shorter key or fewer levels", at: key[0].offset)
        }
        let outerNesting = nesting
        nesting = containerDepth
        let value = try parseValue()
        nesting = outerNesting
        return (key, value)
    }

    /// Parses a value at the current position.
    mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else {
            throw error(.unexpectedEndOfInput, "expected a value, found end of input")
        }
        switch byte {
        case .quote, .apostrophe:
            return .string(try parseString())
        case .leftBracket:
            return try parseArray()
        case .leftBrace:
            return try parseInlineTable()
        case UInt8(ascii: "t") where lookingAt("true"):
            index += 4
            return .boolean(true)
        case UInt8(ascii: "f") where lookingAt("false"):
            index += 5
            return .boolean(false)
        case _ where byte.isDigit && lookingAtDateOrTime():
            return try parseDateTime()
        case _ where byte.isDigit, .plus, .minus, UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try parseNumber()
        default:
            throw unexpectedCharacterError("expected a value, found \(describeCurrent()); strings must be quoted, and booleans are lower-case true or false")
        }
    }

    /// Parses `[ value, ... ]`, allowing newlines, comments and a trailing
    /// comma between elements, and elements of different types.
    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        let start = index
        try enterNesting()
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek() == .rightBracket {
                break
            }
            if isAtEnd {
                throw error(.unexpectedEndOfInput, "array is not closed; add the closing ']'", at: start)
            }
            elements.append(try parseValue())
            try skipWhitespaceCommentsAndNewlines()
            if peek() == .comma {
                index += 1
            } else if peek() != .rightBracket {
                throw unexpectedCharacterError("expected ',' or ']' after an array element, found \(describeCurrent())")
            }
        }
        index += 1
        nesting -= 1
        return .array(elements)
    }

    /// Parses `{ key = value, ... }` on one line: TOML 1.0.0 allows neither
    /// newlines nor a trailing comma inside the braces.
    private mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        try enterNesting()
        index += 1
        let table = TableNode(origin: .dotted)
        skipWhitespace()
        if peek() == .rightBrace {
            index += 1
            nesting -= 1
            return .table(table.makeTable())
        }
        while true {
            skipWhitespace()
            if peek() == .rightBrace {
                throw error(.unexpectedCharacter, "inline table has a trailing comma before '}'; remove the comma")
            }
            let (key, value) = try parseKeyValue(tableDepth: nesting)
            try assign(value, to: key, in: table)
            skipWhitespace()
            if peek() == .comma {
                index += 1
                continue
            }
            if peek() == .rightBrace {
                index += 1
                nesting -= 1
                return .table(table.makeTable())
            }
            if peek() == .lineFeed || peek() == .carriageReturn {
                throw error(.unexpectedCharacter, "inline table continues on a new line, which TOML 1.0.0 does not allow; keep it on one line or use a [table] section")
            }
            throw unexpectedCharacterError("expected ',' or '}' in an inline table, found \(describeCurrent())")
        }
    }

    private mutating func enterNesting() throws(TOMLError) {
        guard nesting < Self.maximumNesting else {
            throw error(.nestingTooDeep, "tables and arrays are nested more than \(Self.maximumNesting) levels deep; flatten the value")
        }
        nesting += 1
    }
}
