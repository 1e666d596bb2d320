/// The members of a JSON object, in insertion order, with unique names.
///
/// Order is kept so that ``JSONValue/serialized()`` writes members the way
/// they were added. Two objects are equal when they hold the same members,
/// whatever their order.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    private var members: [Element] = []
    /// ``nameDigest(_:)`` of each member's name, in member order, so that a
    /// search compares whole names only where the digests match.
    private var nameDigests: [UInt32] = []
    /// Position of each member by name, built only for objects of more than
    /// ``linearSearchLimit`` members. Smaller objects, such as JWT headers and
    /// claim sets, are searched in order, which costs less than hashing the
    /// name with the standard library's seeded hash.
    private var indexByKey: [String: Int]? = nil

    /// Largest member count searched without the index.
    static let linearSearchLimit = 24

    public init() {}

    /// Builds an object in literal order; a repeated key traps, as it does for `Dictionary`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements {
            precondition(index(of: key) == nil, "duplicate key \"\(key)\" in a JSON object literal")
            self[key] = value
        }
    }

    /// Member names in insertion order.
    public var keys: [String] { members.map(\.key) }

    public var count: Int { members.count }

    public var isEmpty: Bool { members.isEmpty }

    /// Reads a member, or sets it: a new name is appended, an existing one
    /// keeps its position, and assigning nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(of: key) else { return nil }
            return members[index].value
        }
        set {
            if let index = index(of: key) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                    nameDigests.remove(at: index)
                    rebuildIndex()
                }
            } else if let newValue {
                appendNew(key: key, value: newValue)
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        members.makeIterator()
    }

    /// Reserves room for `count` members without building the index.
    mutating func reserveCapacity(_ count: Int) {
        members.reserveCapacity(count)
        nameDigests.reserveCapacity(count)
    }

    /// Appends a member the parser has already checked to be new.
    mutating func appendNew(key: String, value: JSONValue) {
        members.append((key, value))
        nameDigests.append(Self.nameDigest(key))
        if indexByKey != nil {
            indexByKey?[key] = members.count - 1
        } else if members.count > Self.linearSearchLimit {
            rebuildIndex()
        }
    }

    func contains(key: String) -> Bool { index(of: key) != nil }

    private func index(of key: String) -> Int? {
        if let indexByKey { return indexByKey[key] }
        let digest = Self.nameDigest(key)
        for position in nameDigests.indices where nameDigests[position] == digest && members[position].key == key {
            return position
        }
        return nil
    }

    /// Returns a digest of the name's length and of its first and last eight
    /// UTF-8 bytes. It is unseeded and so only used below ``linearSearchLimit``
    /// members, where colliding names cost a few extra comparisons at most.
    /// Larger objects use the seeded `Dictionary` index.
    static func nameDigest(_ name: String) -> UInt32 {
        // Reading at most 16 bytes keeps the cost independent of the name's length.
        let fromBuffer = name.utf8.withContiguousStorageIfAvailable { bytes in
            digest(of: UnsafeRawBufferPointer(bytes))
        }
        return fromBuffer ?? digest(of: Array(name.utf8))
    }

    private static func digest(of bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { digest(of: $0) }
    }

    private static func digest(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let count = bytes.count
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if count >= 8 {
            head = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for byte in bytes {
                head = head << 8 | UInt64(byte)
            }
        }
        // A multiply-xorshift mix (the SplitMix64 finalizer) spreads every input bit.
        var mixed = (head &* 0x9E37_79B9_7F4A_7C15) ^ tail ^ UInt64(count)
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }

    private mutating func rebuildIndex() {
        guard members.count > Self.linearSearchLimit else {
            indexByKey = nil
            return
        }
        var index = [String: Int](minimumCapacity: members.count * 2)
        for (position, member) in members.enumerated() {
            index[member.key] = position
        }
        indexByKey = index
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.members where rhs[key] != value {
            return false
        }
        return true
    }

    /// Hashes the members independently of their order, to agree with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in members {
            var memberHasher = Hasher()
            memberHasher.combine(key)
            memberHasher.combine(value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}
