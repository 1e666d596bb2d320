/// One validation pass over a JSON text that builds no values: it applies
/// every rule of ``JSONValue/parse(bytes:limits:)`` and records where the
/// members of a top-level object start and end.
///
/// Strings, numbers and literals go through the same ``JSONParser`` functions
/// as a full parse, so both paths accept and reject the same texts with the
/// same ``JSONError``.
struct JSONIndexer {
    private var parser: JSONParser
    /// Names of the members of every nested object still open, innermost
    /// last, for the duplicate check. The top-level object's names are in
    /// ``members`` when it records them, so a flat claim set never allocates this array.
    private var openNames: [MemberName] = []
    /// Members of the top-level object, in text order.
    private(set) var members: [IndexedMember] = []
    /// True when some member name has escapes or non-ASCII bytes, so its lookup key is ``MemberName/stringNameKey``.
    private(set) var hasStringNames = false
    /// One bit per top-level member's lookup key, a one-word Bloom filter: a
    /// plain name whose bit is clear cannot equal an earlier name.
    private var memberKeyBits: UInt64 = 0

    /// Largest member count checked for duplicates by comparing names pairwise;
    /// larger objects use a set of decoded names, so the check stays linear.
    /// It equals ``JSONObject/linearSearchLimit``, so that both parsers treat names alike.
    static let pairwiseLimit = JSONObject.linearSearchLimit

    init(bytes: [UInt8], maxDepth: Int) {
        parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
    }

    /// Validates the whole text. Returns true when the top-level value is an
    /// object, whose members are then in ``members``.
    mutating func indexDocument() throws(JSONError) -> Bool {
        let bytes = parser.bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw parser.error(.byteOrderMark, "JSON text starts with a UTF-8 byte order mark; remove it")
        }
        parser.skipWhitespace()
        let isObject = parser.peek() == UInt8(ascii: "{")
        members.reserveCapacity(16)
        _ = try skipValue(recordMembers: isObject)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else {
            throw parser.error(.trailingData, "unexpected data after the top-level JSON value")
        }
        return isObject
    }

    // MARK: - Values

    private mutating func skipValue(recordMembers: Bool = false) throws(JSONError) -> ScannedValue {
        guard let byte = parser.peek() else {
            throw parser.error(.unexpectedCharacter, "JSON text ended where a value was expected")
        }
        switch byte {
        case UInt8(ascii: "{"):
            try skipObject(recordMembers: recordMembers)
            return ScannedValue(kind: .object)
        case UInt8(ascii: "["):
            return ScannedValue(kind: .array, isStringArray: try skipArray())
        case UInt8(ascii: "\""):
            let shape = try skipString()
            return ScannedValue(kind: .string, isPlain: !shape.hasEscapes)
        case UInt8(ascii: "t"):
            try parser.expectLiteral("true")
            return ScannedValue(kind: .bool, integer: 1)
        case UInt8(ascii: "f"):
            try parser.expectLiteral("false")
            return ScannedValue(kind: .bool, integer: 0)
        case UInt8(ascii: "n"):
            try parser.expectLiteral("null")
            return ScannedValue(kind: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            switch try parser.scanNumber() {
            case .integer(let value): return ScannedValue(kind: .integer, integer: value)
            case .double: return ScannedValue(kind: .double)
            }
        default:
            throw parser.unexpected(byte, expecting: "a JSON value")
        }
    }

    private mutating func skipObject(recordMembers: Bool) throws(JSONError) {
        try parser.enterContainer()
        parser.position += 1
        let namesStart = openNames.count
        var decodedNames: Set<String>? = nil
        defer { openNames.removeSubrange(namesStart...) }
        parser.skipWhitespace()
        if parser.peek() == UInt8(ascii: "}") {
            parser.position += 1
            parser.depth -= 1
            return
        }
        while true {
            parser.skipWhitespace()
            let keyOffset = parser.position
            guard parser.peek() == UInt8(ascii: "\"") else {
                throw parser.unexpected(parser.peek(), expecting: "a member name in double quotes")
            }
            let shape = try skipString()
            let name = MemberName(
                bytes: parser.bytes, start: keyOffset + 1, end: parser.position - 1,
                isPlain: !shape.hasEscapes && shape.isASCII)
            if recordMembers {
                try checkUniqueAmongMembers(name, decodedNames: &decodedNames, keyOffset: keyOffset)
            } else {
                try checkUnique(name, namesStart: namesStart, decodedNames: &decodedNames, keyOffset: keyOffset)
                openNames.append(name)
            }

            parser.skipWhitespace()
            try parser.expect(UInt8(ascii: ":"), "':' after a member name")
            parser.skipWhitespace()
            let valueStart = parser.position
            let value = try skipValue()
            if recordMembers {
                members.append(IndexedMember(name: name, valueStart: valueStart, valueEnd: parser.position, value: value))
                if !name.isPlain { hasStringNames = true }
            }
            parser.skipWhitespace()
            switch parser.peek() {
            case UInt8(ascii: ","): parser.position += 1
            case UInt8(ascii: "}"):
                parser.position += 1
                parser.depth -= 1
                return
            default: throw parser.unexpected(parser.peek(), expecting: "',' or '}' in an object")
            }
        }
    }

    /// Returns true when every element is a string, including for an empty array.
    private mutating func skipArray() throws(JSONError) -> Bool {
        try parser.enterContainer()
        parser.position += 1
        var allStrings = true
        parser.skipWhitespace()
        if parser.peek() == UInt8(ascii: "]") {
            parser.position += 1
            parser.depth -= 1
            return true
        }
        while true {
            parser.skipWhitespace()
            allStrings = try skipValue().kind == .string && allStrings
            parser.skipWhitespace()
            switch parser.peek() {
            case UInt8(ascii: ","): parser.position += 1
            case UInt8(ascii: "]"):
                parser.position += 1
                parser.depth -= 1
                return allStrings
            default: throw parser.unexpected(parser.peek(), expecting: "',' or ']' in an array")
            }
        }
    }

    /// Validates a string from its opening quote by the rules of
    /// ``JSONParser/parseString()``, without building it.
    private mutating func skipString() throws(JSONError) -> (hasEscapes: Bool, isASCII: Bool) {
        parser.position += 1
        var hasEscapes = false
        var isASCII = true
        while true {
            parser.skipPlainASCII()
            guard let byte = parser.peek() else {
                throw parser.error(.unexpectedCharacter, "JSON text ended inside a string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                parser.position += 1
                return (hasEscapes, isASCII)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                _ = try parser.parseEscape()
            case 0x00..<0x20:
                throw parser.error(.controlCharacter, String(format: "control character U+%04X must be escaped inside a string", byte))
            case 0x20..<0x80:
                parser.position += 1
            default:
                isASCII = false
                _ = try parser.decodeUTF8Scalar()
            }
        }
    }

    // MARK: - Duplicate names

    /// Rejects `name` when the innermost open nested object already has a
    /// member of that name, comparing names exactly as ``JSONObject`` does: by
    /// their Unicode scalars up to ``pairwiseLimit`` members, and by `String`
    /// equality (canonical equivalence) in larger objects.
    private func checkUnique(
        _ name: MemberName, namesStart: Int, decodedNames: inout Set<String>?, keyOffset: Int
    ) throws(JSONError) {
        var isDuplicate = false
        if openNames.count - namesStart > Self.pairwiseLimit {
            if decodedNames == nil {
                decodedNames = Set(openNames[namesStart...].map { decode($0) })
            }
            isDuplicate = !decodedNames!.insert(decode(name)).inserted
        } else {
            for position in namesStart..<openNames.count where matches(openNames[position], name) {
                isDuplicate = true
                break
            }
        }
        if isDuplicate { throw duplicateError(name, keyOffset: keyOffset) }
    }

    /// Rejects `name` when the top-level object already has a member of that
    /// name, by the rules of ``checkUnique(_:namesStart:decodedNames:keyOffset:)``.
    private mutating func checkUniqueAmongMembers(_ name: MemberName, decodedNames: inout Set<String>?, keyOffset: Int) throws(JSONError) {
        var isDuplicate = false
        if members.count > Self.pairwiseLimit {
            if decodedNames == nil {
                decodedNames = Set(members.map { decode($0.name) })
            }
            isDuplicate = !decodedNames!.insert(decode(name)).inserted
        } else {
            // Equal plain names have equal lookup keys, and a name that compares
            // only as a string has stringNameKey, so other keys need no comparison.
            let key = name.lookupKey
            let comparesAll = key == MemberName.stringNameKey
            // The key's top six bits after a multiplicative hash pick the bit.
            let bit: UInt64 = 1 << ((key &* 0x9E37_79B9_7F4A_7C15) >> 58)
            defer { memberKeyBits |= bit }
            if !comparesAll, !hasStringNames, memberKeyBits & bit == 0 {
                return
            }
            for position in members.indices {
                let candidateKey = members[position].name.lookupKey
                guard comparesAll || candidateKey == key || candidateKey == MemberName.stringNameKey else { continue }
                if matches(members[position].name, name) {
                    isDuplicate = true
                    break
                }
            }
        }
        if isDuplicate { throw duplicateError(name, keyOffset: keyOffset) }
    }

    private func duplicateError(_ name: MemberName, keyOffset: Int) -> JSONError {
        JSONError(
            code: .duplicateMember, offset: keyOffset,
            reason: "object member \"\(decode(name))\" appears more than once; send each member once")
    }

    private func matches(_ first: MemberName, _ second: MemberName) -> Bool {
        if first.isPlain && second.isPlain {
            return first.hasSameBytes(as: second, in: parser.bytes)
        }
        return decode(first).utf8.elementsEqual(decode(second).utf8)
    }

    private func decode(_ name: MemberName) -> String {
        var nameParser = JSONParser(bytes: parser.bytes, maxDepth: parser.maxDepth, position: name.start - 1, depth: 0)
        // The name was validated when it was scanned, so decoding it cannot fail.
        return (try? nameParser.parseString()) ?? ""
    }
}

/// What the validation pass learned about one value.
struct ScannedValue {
    var kind: JSONValueKind
    /// For a string: no escape sequence, so its UTF-8 bytes are its content.
    var isPlain = false
    /// For an array: every element is a string.
    var isStringArray = false
    /// The value of an ``JSONValueKind/integer`` or, as 0 or 1, of a ``JSONValueKind/bool``.
    var integer: Int64 = 0
}
