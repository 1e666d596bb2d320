/// A strictly validated JSON object text whose member values are decoded only when read.
///
/// ``parse(bytes:limits:)`` runs one pass that enforces every rule of
/// ``JSONValue/parse(bytes:limits:)``, nested values included, and records
/// where each top-level member's name and value lie in the bytes. Reading a
/// member then decodes only that value. This suits token claim sets, where a
/// validator reads a few members of each token once: building a whole
/// ``JSONObject`` costs more than the reads.
///
/// A lookup first compares each member's ``MemberName/lookupKey``, which for
/// a plain name is its first eight bytes, and the rest of a name only on a match, so it suits objects of tens of members. Names compare by their Unicode scalars, escapes decoded, and in
/// objects of more than ``JSONObject/linearSearchLimit`` members by `String`
/// equality (canonical equivalence), exactly as ``JSONObject`` compares them.
public struct JSONObjectIndex: Sendable {
    /// The JSON text.
    public let bytes: [UInt8]
    let members: [IndexedMember]
    /// True when some name has escapes or non-ASCII bytes and so compares only as a string.
    let hasStringNames: Bool
    let maxDepth: Int

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
        return JSONObjectIndex(bytes: bytes, indexer: indexer, maxDepth: limits.maxDepth)
    }

    /// Indexes an object already in memory, by serializing it.
    public init(_ object: JSONObject) {
        let bytes = [UInt8](JSONValue.object(object).serialized())
        var indexer = JSONIndexer(bytes: bytes, maxDepth: Int.max)
        // Serialized output is valid JSON, so indexing it cannot fail.
        _ = try? indexer.indexDocument()
        self.init(bytes: bytes, indexer: indexer, maxDepth: Int.max)
    }

    private init(bytes: [UInt8], indexer: JSONIndexer, maxDepth: Int) {
        self.bytes = bytes
        self.members = indexer.members
        self.hasStringNames = indexer.hasStringNames
        self.maxDepth = maxDepth
    }

    /// Number of members.
    public var count: Int { members.count }

    /// Member names in text order.
    public var names: [String] { members.map { decodeName($0.name) } }

    public func contains(_ name: JSONMemberName) -> Bool { position(of: name) != nil }

    /// The JSON type of the member, or nil when it is absent.
    public func kind(of name: JSONMemberName) -> JSONValueKind? {
        position(of: name).map { kind(at: $0) }
    }

    /// The member decoded in full, or nil when it is absent.
    public func value(_ name: JSONMemberName) -> JSONValue? {
        position(of: name).map { value(at: $0) }
    }

    /// The member when it is a string; nil when absent or of another type.
    public func string(_ name: JSONMemberName) -> String? {
        position(of: name).flatMap { string(at: $0) }
    }

    /// The member as a `Double` when it is a number; nil when absent or of another type.
    public func number(_ name: JSONMemberName) -> Double? {
        position(of: name).flatMap { number(at: $0) }
    }

    /// The member when it is `true` or `false`; nil when absent or of another type.
    public func bool(_ name: JSONMemberName) -> Bool? {
        position(of: name).flatMap { bool(at: $0) }
    }

    /// True when the member is an array whose elements are all strings (or that is empty).
    public func isStringArray(_ name: JSONMemberName) -> Bool {
        position(of: name).map { isStringArray(at: $0) } ?? false
    }

    /// The member when it is an array of strings; nil when absent, of another
    /// type, or holding any element that is not a string.
    public func strings(_ name: JSONMemberName) -> [String]? {
        position(of: name).flatMap { strings(at: $0) }
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

    /// Returns the position of the member named `name`, for the `at:` reads, or nil when it is absent.
    public func position(of name: JSONMemberName) -> Int? {
        // Names are unique in the object, so the first match is the only one.
        if name.isInline {
            let key = name.words.0
            let found = members.withUnsafeBufferPointer { members -> Int? in
                for position in members.indices where members[position].name.lookupKey == key {
                    let candidate = members[position].name
                    if candidate.count == name.count && hasTail(candidate, of: name) { return position }
                }
                return nil
            }
            if found != nil || !hasStringNames { return found }
        }
        let text = name.text
        for position in members.indices where !(name.isInline && members[position].name.isPlain) {
            if namesMatch(decodeName(members[position].name), text) { return position }
        }
        return nil
    }

    private func namesMatch(_ candidate: String, _ name: String) -> Bool {
        if members.count > JSONObject.linearSearchLimit { return candidate == name }
        return candidate.utf8.elementsEqual(name.utf8)
    }

    /// Compares the bytes after the first eight, which ``MemberName/word`` already covers.
    func hasTail(_ candidate: MemberName, of name: JSONMemberName) -> Bool {
        guard name.count > 8 else { return true }
        let end = candidate.end
        let start = candidate.start + 8
        guard MemberName.leadingWord(of: bytes, from: start, to: end) == name.words.1 else { return false }
        return start + 8 >= end || MemberName.leadingWord(of: bytes, from: start + 8, to: end) == name.words.2
    }

    private func decodeName(_ name: MemberName) -> String {
        if name.isPlain {
            return String(decoding: bytes[name.start..<name.end], as: UTF8.self)
        }
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, position: name.start - 1, depth: 1)
        // Every name was validated by the indexing pass, so decoding cannot fail.
        return (try? parser.parseString()) ?? ""
    }

    func decodeString(_ member: IndexedMember) -> String {
        if member.value.isPlain {
            // The bytes between the quotes were checked to be well-formed UTF-8.
            return String(decoding: bytes[(member.valueStart + 1)..<(member.valueEnd - 1)], as: UTF8.self)
        }
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, position: member.valueStart, depth: 1)
        return (try? parser.parseString()) ?? ""
    }

    func decodeValue(_ member: IndexedMember) -> JSONValue {
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
    /// The first ``inlineCapacity`` UTF-8 bytes as little-endian words, zero-padded,
    /// so that a lookup compares words instead of reading the name's storage.
    let words: (UInt64, UInt64, UInt64)
    let count: Int
    /// True when the whole name is ASCII and fits in ``words``.
    let isInline: Bool
    /// The name when it is not inline; nil otherwise, so that copying a name
    /// costs no reference counting in the common case.
    private let longText: String?

    /// Longest name compared by its words; longer names compare as strings.
    static let inlineCapacity = 24

    public init(_ text: String) {
        let utf8 = Array(text.utf8)
        self.count = utf8.count
        self.isInline = utf8.count <= Self.inlineCapacity && utf8.allSatisfy { $0 < 0x80 }
        self.longText = isInline ? nil : text
        self.words = (
            MemberName.leadingWord(of: utf8, from: 0, to: utf8.count),
            MemberName.leadingWord(of: utf8, from: 8, to: utf8.count),
            MemberName.leadingWord(of: utf8, from: 16, to: utf8.count)
        )
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// The name as text.
    public var text: String {
        if let longText { return longText }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(count)
        for (index, word) in [words.0, words.1, words.2].enumerated() {
            for shift in stride(from: 0, to: 64, by: 8) where index * 8 + shift / 8 < count {
                utf8.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    public var description: String { text }

    public static func == (lhs: JSONMemberName, rhs: JSONMemberName) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
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

    /// The key a lookup compares first: ``word`` for a plain name, whose bytes
    /// are ASCII and never zero (a NUL must be escaped), so the word also
    /// fixes names of up to eight bytes. Other names get ``stringNameKey``.
    var lookupKey: UInt64 { isPlain ? word : Self.stringNameKey }

    /// The key of names that compare only as strings; no ASCII word has a 0xFF byte.
    static let stringNameKey = UInt64.max

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
        guard start < end else { return 0 }
        let count = min(end - start, 8)
        // One unaligned load when eight bytes are readable, with the bytes past `end` masked off.
        if start + 8 <= bytes.count {
            let loaded = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt64.self)) }
            return count == 8 ? loaded : loaded & ((1 << (UInt64(count) * 8)) - 1)
        }
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for position in start..<(start + count) {
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
