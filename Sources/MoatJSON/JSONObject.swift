/// The members of a JSON object, in insertion order, with unique names.
///
/// Order is kept so that ``JSONValue/serialized()`` writes members the way
/// they were added. Two objects are equal when they hold the same members,
/// whatever their order.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    private var members: [Element] = []
    private var indexByKey: [String: Int] = [:]

    public init() {}

    /// Builds an object in literal order; a repeated key traps, as it does for `Dictionary`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements {
            precondition(indexByKey[key] == nil, "duplicate key \"\(key)\" in a JSON object literal")
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
            guard let index = indexByKey[key] else { return nil }
            return members[index].value
        }
        set {
            if let index = indexByKey[key] {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                    rebuildIndex()
                }
            } else if let newValue {
                indexByKey[key] = members.count
                members.append((key, newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        members.makeIterator()
    }

    /// Appends a member the parser has already checked to be new.
    mutating func appendNew(key: String, value: JSONValue) {
        indexByKey[key] = members.count
        members.append((key, value))
    }

    func contains(key: String) -> Bool { indexByKey[key] != nil }

    private mutating func rebuildIndex() {
        indexByKey = [:]
        for (index, member) in members.enumerated() {
            indexByKey[member.key] = index
        }
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
