/// A mutable table under construction, recording how it was created so the
/// parser can enforce TOML's rules against defining a table twice.
///
/// Inline tables and arrays assigned as values are stored as finished
/// `TOMLValue`s, which is what makes them immutable: no rule below reaches
/// into a `.value`.
final class TableNode {
    /// The construct that created a table.
    enum Origin {
        /// Created as a parent of a `[a.b]` header's last key. A later
        /// `[a]` header may still define it.
        case implicit
        /// Defined by a `[header]`, or an element of a `[[header]]` array.
        case header
        /// Created by a dotted key such as `a.b = 1`, or the body of an
        /// inline table. No header may define it again.
        case dotted
    }

    /// One key's content.
    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
        /// An array of tables from `[[header]]`, which later headers extend.
        case arrayOfTables(TableArray)
    }

    /// The elements of an array of tables, shared so appending is O(1).
    final class TableArray {
        var elements: [TableNode]

        init(elements: [TableNode]) {
            self.elements = elements
        }
    }

    var origin: Origin
    private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(origin: Origin) {
        self.origin = origin
    }

    subscript(key: String) -> Entry? {
        entries[key]
    }

    /// Adds a new key, which callers have checked is absent.
    func insert(_ entry: Entry, for key: String) {
        precondition(entries[key] == nil, "TableNode.insert called for an existing key")
        keys.append(key)
        entries[key] = entry
    }

    /// Converts the tree into immutable values.
    func makeTable() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key] {
            case .value(let value):
                table[key] = value
            case .table(let node):
                table[key] = .table(node.makeTable())
            case .arrayOfTables(let array):
                table[key] = .array(array.elements.map { .table($0.makeTable()) })
            case nil:
                break
            }
        }
        return table
    }
}

/// One part of a key path with the byte offset where it starts, so errors
/// can point at the exact part that conflicts.
struct KeyPart {
    let name: String
    let offset: Int
}

extension [KeyPart] {
    /// The path as TOML would spell it, quoting parts that are not bare keys.
    var dottedDescription: String {
        map { part in
            let isBare = !part.name.isEmpty && part.name.utf8.allSatisfy(\.isBareKeyCharacter)
            return isBare ? part.name : "\"\(part.name)\""
        }
        .joined(separator: ".")
    }
}
