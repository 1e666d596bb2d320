/// A strictly validated JSON object text whose member values are decoded only when read.
///
/// ``parse(bytes:limits:)`` runs one pass that enforces every rule of
/// ``JSONValue/parse(bytes:limits:)``, nested values included, and records
/// where each top-level member's name and value lie in the bytes. Reading a
/// member then decodes only that value. This suits token claim sets, where a
/// validator reads a few members of each token once: building a whole
/// ``JSONObject`` costs more than the reads.
///
/// Lookups scan the members in order, comparing the length and first eight
/// bytes of each name before the rest. They are meant for objects of tens of
/// members. Names compare by canonical equivalence, as `String` and
/// ``JSONObject`` do, so a name sent with escapes or in another Unicode form
/// finds the same member.
public struct JSONObjectIndex: Sendable {
    /// The JSON text.
    public let bytes: [UInt8]
    let members: [IndexedMember]
    private let maxDepth: Int

    /// Validates `bytes` as one JSON text under `limits`.
    ///
    /// - Returns: the index, or nil when the text is valid JSON whose top-level value is not an object.
    /// - Throws: the ``JSONError`` that ``JSONValue/parse(bytes:limits:)`` throws for the same text.
    public static func parse(bytes: [UInt8], limits: JSONLimits = .init()) throws(JSONError) -> JSONObjectIndex? {
        guard bytes.count <= limits.maxBytes else {
            throw JSONError(
                code: .tooLarge, offset: limits.maxBytes,
                reason: "JSON text is \(bytes.count) bytes, more than the limit of \(limits.maxBytes) bytes")
        }
        var indexer = JSONIndexer(bytes: bytes, maxDepth: limits.maxDepth)
        guard try indexer.indexDocument() else { return nil }
        return JSONObjectIndex(bytes: bytes, members: indexer.members, maxDepth: limits.maxDepth)
    }

    /// Indexes an object already in memory, by serializing it.
    public init(_ object: JSONObject) {
        let bytes = [UInt8](JSONValue.object(object).serialized())
        var indexer = JSONIndexer(bytes: bytes, maxDepth: Int.max)
        // Serialized output is valid JSON, so indexing it cannot fail.
        _ = try? indexer.indexDocument()
        self.init(bytes: bytes, members: indexer.members, maxDepth: Int.max)
    }

    private init(bytes: [UInt8], members: [IndexedMember], maxDepth: Int) {
        self.bytes = bytes
        self.members = members
        self.maxDepth = maxDepth
    }

    /// Number of members.
    public var count: Int { members.count }

    /// Member names in text order.
    public var names: [String] { members.map { decodeName($0.name) } }

    public func contains(_ name: JSONMemberName) -> Bool { position(of: name) != nil }

    /// The JSON type of the member, or nil when it is absent.
    public func kind(of name: JSONMemberName) -> JSONValueKind? {
        position(of: name).map { members[$0].value.kind }
    }

    /// The member decoded in full, or nil when it is absent.
    public func value(_ name: JSONMemberName) -> JSONValue? {
        position(of: name).map { decodeValue(members[$0]) }
    }

    /// The member when it is a string; nil when absent or of another type.
    public func string(_ name: JSONMemberName) -> String? {
        guard let position = position(of: name), members[position].value.kind == .string else { return nil }
        return decodeString(members[position])
    }

    /// The member as a `Double` when it is a number; nil when absent or of another type.
    public func number(_ name: JSONMemberName) -> Double? {
        guard let position = position(of: name) else { return nil }
        let member = members[position]
        switch member.value.kind {
        case .integer: return Double(member.value.integer)
        case .double: return decodeValue(member).doubleValue
        default: return nil
        }
    }

    /// The member when it is `true` or `false`; nil when absent or of another type.
    public func bool(_ name: JSONMemberName) -> Bool? {
        guard let position = position(of: name), members[position].value.kind == .bool else { return nil }
        return members[position].value.integer != 0
    }

    /// True when the member is an array whose elements are all strings (or that is empty).
    public func isStringArray(_ name: JSONMemberName) -> Bool {
        guard let position = position(of: name) else { return false }
        return members[position].value.kind == .array && members[position].value.isStringArray
    }

    /// The member when it is an array of strings; nil when absent, of another
    /// type, or holding any element that is not a string.
    public func strings(_ name: JSONMemberName) -> [String]? {
        guard let position = position(of: name), members[position].value.isStringArray,
              case .array(let elements) = decodeValue(members[position])
        else { return nil }
        return elements.compactMap(\.stringValue)
    }

    /// Builds the whole object, decoding every member.
    public func object() -> JSONObject {
        var object = JSONObject()
        object.reserveCapacity(members.count)
        for member in members {
            object.appendNew(key: decodeName(member.name), value: decodeValue(member))
        }
        return object
    }

    // MARK: - Lookup and decoding

    private func position(of name: JSONMemberName) -> Int? {
        for position in members.indices {
            let candidate = members[position].name
            if candidate.isPlain && name.isASCII {
                if candidate.count == name.count && candidate.word == name.word && hasTail(candidate, of: name) {
                    return position
                }
            } else if decodeName(candidate) == name.text {
                return position
            }
        }
        return nil
    }

    /// Compares the bytes after the first eight, which ``MemberName/word`` already covers.
    private func hasTail(_ candidate: MemberName, of name: JSONMemberName) -> Bool {
        guard name.count > 8 else { return true }
        for offset in 8..<name.count where bytes[candidate.start + offset] != name.utf8[offset] {
            return false
        }
        return true
    }

    private func decodeName(_ name: MemberName) -> String {
        if name.isPlain {
            return String(decoding: bytes[name.start..<name.end], as: UTF8.self)
        }
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, position: name.start - 1, depth: 1)
        // Every name was validated by the indexing pass, so decoding cannot fail.
        return (try? parser.parseString()) ?? ""
    }

    private func decodeString(_ member: IndexedMember) -> String {
        if member.value.isPlain {
            // The bytes between the quotes were checked to be well-formed UTF-8.
            return String(decoding: bytes[(member.valueStart + 1)..<(member.valueEnd - 1)], as: UTF8.self)
        }
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, position: member.valueStart, depth: 1)
        return (try? parser.parseString()) ?? ""
    }

    private func decodeValue(_ member: IndexedMember) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, position: member.valueStart, depth: 1)
        // The value was validated by the indexing pass, so decoding cannot fail.
        return (try? parser.parseValue()) ?? .null
    }
}

/// The JSON type of a value, as ``JSONValue`` distinguishes them.
public enum JSONValueKind: UInt8, Sendable {
    case null, bool, integer, double, string, array, object
}

/// A member name prepared for repeated lookups in a ``JSONObjectIndex``.
///
/// Prepare names once, for example as `static let` constants, because
/// preparing costs a copy of the name's bytes.
public struct JSONMemberName: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let text: String
    let utf8: [UInt8]
    let word: UInt64
    let isASCII: Bool

    public init(_ text: String) {
        self.text = text
        self.utf8 = Array(text.utf8)
        self.word = MemberName.leadingWord(of: utf8, from: 0, to: utf8.count)
        self.isASCII = utf8.allSatisfy { $0 < 0x80 }
    }

    public init(stringLiteral value: String) { self.init(value) }

    var count: Int { utf8.count }

    public var description: String { text }
}

/// Where a member name lies between its quotes, with its first eight bytes as one word.
struct MemberName {
    let start: Int
    let end: Int
    /// Up to the first eight bytes, little-endian and zero-padded.
    let word: UInt64
    /// No escape sequence and only ASCII, so the bytes compare exactly as the `String` does.
    let isPlain: Bool

    init(bytes: [UInt8], start: Int, end: Int, isPlain: Bool) {
        self.start = start
        self.end = end
        self.word = Self.leadingWord(of: bytes, from: start, to: end)
        self.isPlain = isPlain
    }

    var count: Int { end - start }

    func hasSameBytes(as other: MemberName, in bytes: [UInt8]) -> Bool {
        guard count == other.count, word == other.word else { return false }
        var offset = 8
        while offset < count {
            guard bytes[start + offset] == bytes[other.start + offset] else { return false }
            offset += 1
        }
        return true
    }

    static func leadingWord(of bytes: [UInt8], from start: Int, to end: Int) -> UInt64 {
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for position in start..<min(end, start + 8) {
            word |= UInt64(bytes[position]) << shift
            shift += 8
        }
        return word
    }
}

/// One top-level member: where its name and value lie, and what the validation pass learned about the value.
struct IndexedMember {
    let name: MemberName
    let valueStart: Int
    let valueEnd: Int
    let value: ScannedValue
}
