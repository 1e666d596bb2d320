/// A TOML table: string keys mapped to values, remembering insertion order.
///
/// Keys are ordered as they first appeared in the document. Two tables are
/// equal when they contain the same keys with equal values, in any order,
/// because TOML gives key order no meaning.
public struct TOMLTable: Sendable, Equatable, Sequence {
    /// Keys in the order they were first inserted.
    public private(set) var keys: [String] = []
    private var storage: [String: TOMLValue] = [:]

    /// Creates an empty table.
    public init() {}

    /// Creates a table from pairs in order. A repeated key keeps its first
    /// position and its last value.
    public init(_ pairs: [(String, TOMLValue)]) {
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// Number of keys.
    public var count: Int { keys.count }

    /// Whether the table has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value stored under `key`, or `nil`. Assigning `nil` removes the key.
    public subscript(key: String) -> TOMLValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil {
                    keys.append(key)
                }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Looks up a value through nested tables, as the dotted key
    /// `path[0].path[1]...` would name it. Returns `nil` when a key is missing
    /// or an intermediate value is not a table, and for an empty path.
    public func value(at path: [String]) -> TOMLValue? {
        guard let first = path.first, let value = storage[first] else {
            return nil
        }
        if path.count == 1 {
            return value
        }
        return value.tableValue?.value(at: Array(path.dropFirst()))
    }

    /// Iterates `(key, value)` pairs in insertion order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: TOMLValue)> {
        var position = keys.makeIterator()
        let storage = storage
        return AnyIterator {
            guard let key = position.next(), let value = storage[key] else {
                return nil
            }
            return (key: key, value: value)
        }
    }

    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.storage == rhs.storage
    }
}
