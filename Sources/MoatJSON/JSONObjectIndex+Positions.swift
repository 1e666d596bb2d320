import Foundation

extension JSONObjectIndex {
    /// Finds every name of `table` among the members in one pass.
    ///
    /// - Returns: for each entry of ``JSONMemberNameTable/names``, in the same
    ///   order, the position of the member with that name, or nil when it is
    ///   absent. Positions are for the `…(at:)` accessors. Names match exactly
    ///   as ``position(of:)`` matches them, escaped names included.
    public func positions(of table: JSONMemberNameTable) -> [Int?] {
        var found = [Int?](repeating: nil, count: table.names.count)
        forEachMember(in: table) { entry, position in found[entry] = position }
        return found
    }

    /// Calls `body` once for each name of `table` that is a member, with the
    /// name's index in ``JSONMemberNameTable/names`` and the member's position.
    /// Matches as ``positions(of:)`` does, but allocates nothing, so callers
    /// on a hot path can keep the positions in fixed-size storage.
    public func forEachMember(in table: JSONMemberNameTable, _ body: (_ entry: Int, _ position: Int) -> Void) {
        // Escaped or non-ASCII member names compare only as strings, so they take the lookup per name.
        if hasStringNames {
            for entry in table.names.indices {
                if let position = position(of: table.names[entry]) { body(entry, position) }
            }
            return
        }

        for position in members.indices {
            let name = members[position].name
            guard let entry = table.entry(forLeadingWord: name.word) else { continue }
            let candidate = table.names[entry]
            if candidate.count == name.count && hasTail(name, of: candidate) {
                body(entry, position)
            }
        }
    }

    /// The JSON type of the member at `position`.
    public func kind(at position: Int) -> JSONValueKind { members[position].value.kind }

    /// The member at `position`, decoded in full.
    public func value(at position: Int) -> JSONValue { decodeValue(members[position]) }

    /// The member at `position` when it is a string; nil for another type.
    public func string(at position: Int) -> String? {
        guard members[position].value.kind == .string else { return nil }
        return decodeString(members[position])
    }

    /// True when the member at `position` is a string equal to `text` by
    /// `String` equality (canonical equivalence), as `string(at:) == text` is.
    /// It builds no string when the bytes are equal, or when both are ASCII.
    public func stringEquals(at position: Int, _ text: String) -> Bool {
        let member = members[position]
        guard member.value.kind == .string else { return false }
        if member.value.isPlain {
            var expected = text
            let verdict = expected.withUTF8 { expected -> Bool? in
                bytes.withUnsafeBufferPointer { bytes -> Bool? in
                    let start = member.valueStart + 1
                    let count = member.valueEnd - 1 - start
                    if count == expected.count, memcmp(bytes.baseAddress! + start, expected.baseAddress!, count) == 0 { return true }
                    // ASCII scalars have no canonical decompositions, so unequal ASCII bytes are unequal strings.
                    let value = UnsafeBufferPointer(rebasing: bytes[start..<(start + count)])
                    let isASCII = value.allSatisfy { $0 < 0x80 } && expected.allSatisfy { $0 < 0x80 }
                    return isASCII ? false : nil
                }
            }
            if let verdict { return verdict }
        }
        return decodeString(member) == text
    }

    /// The member at `position` as a `Double` when it is a number; nil for another type.
    public func number(at position: Int) -> Double? {
        let member = members[position]
        switch member.value.kind {
        case .integer: return Double(member.value.integer)
        case .double: return decodeValue(member).doubleValue
        default: return nil
        }
    }

    /// The member at `position` when it is `true` or `false`; nil for another type.
    public func bool(at position: Int) -> Bool? {
        guard members[position].value.kind == .bool else { return nil }
        return members[position].value.integer != 0
    }

    /// True when the member at `position` is an array whose elements are all strings (or that is empty).
    public func isStringArray(at position: Int) -> Bool {
        members[position].value.kind == .array && members[position].value.isStringArray
    }

    /// The member at `position` when it is an array of strings; nil for
    /// another type or when any element is not a string.
    public func strings(at position: Int) -> [String]? {
        guard isStringArray(at: position) else { return nil }
        // Reads the strings one by one, which skips building a JSONValue per element.
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, position: members[position].valueStart + 1, depth: 2)
        var strings: [String] = []
        parser.skipWhitespace()
        while parser.peek() == UInt8(ascii: "\"") {
            // The array was validated by the indexing pass, so decoding cannot fail.
            guard let string = try? parser.parseString() else { return nil }
            strings.append(string)
            parser.skipWhitespace()
            if parser.peek() == UInt8(ascii: ",") { parser.position += 1 }
            parser.skipWhitespace()
        }
        return strings
    }
}

/// A fixed list of member names, prepared once so that
/// ``JSONObjectIndex/positions(of:)`` matches each member against all of them
/// with one table probe instead of one scan per name.
///
/// The table is a perfect hash of each name's first eight bytes: a
/// multiplier is searched at initialization so that no two names share a slot.
public struct JSONMemberNameTable: Sendable {
    /// The names, in the order that ``JSONObjectIndex/positions(of:)`` reports them.
    public let names: [JSONMemberName]
    /// For each slot, the index into ``names`` plus one, or 0 when empty.
    private let slots: [UInt8]
    private let multiplier: UInt64

    private static let slotBits: UInt64 = 8
    /// Most names a table takes. With 48 names in 256 slots about one
    /// multiplier in a hundred is collision-free (birthday bound), so the search stays short.
    public static let maxCount = 48

    /// Prepares `names` for matching.
    ///
    /// - Precondition: at most ``maxCount`` distinct names, each ASCII, of at
    ///   most 24 bytes, and no two starting with the same eight bytes.
    public init(_ names: [JSONMemberName]) {
        precondition(names.count <= Self.maxCount, "a JSONMemberNameTable takes at most \(Self.maxCount) names")
        for name in names {
            precondition(name.isInline, "member name \"\(name)\" is not ASCII of at most 24 bytes")
        }
        let words = names.map(\.words.0)
        precondition(Set(words).count == words.count, "two member names start with the same eight bytes")

        // A fixed sequence of odd multipliers keeps the layout the same on every run.
        var multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<100_000 {
            var slots = [UInt8](repeating: 0, count: 1 << Self.slotBits)
            var collided = false
            for (entry, word) in words.enumerated() {
                let slot = Self.slot(of: word, multiplier: multiplier)
                if slots[slot] != 0 {
                    collided = true
                    break
                }
                slots[slot] = UInt8(entry + 1)
            }
            if !collided {
                self.names = names
                self.slots = slots
                self.multiplier = multiplier
                return
            }
            multiplier = (multiplier &+ 0xBF58_476D_1CE4_E5B9) | 1
        }
        preconditionFailure("no collision-free layout found for \(names.count) member names")
    }

    /// The index into ``names`` of the one name whose first eight bytes could be `word`, or nil.
    /// The caller still compares the name's length and remaining bytes.
    func entry(forLeadingWord word: UInt64) -> Int? {
        let stored = Int(slots[Self.slot(of: word, multiplier: multiplier)])
        guard stored != 0, names[stored - 1].words.0 == word else { return nil }
        return stored - 1
    }

    private static func slot(of word: UInt64, multiplier: UInt64) -> Int {
        Int(truncatingIfNeeded: (word &* multiplier) >> (64 - slotBits))
    }
}
