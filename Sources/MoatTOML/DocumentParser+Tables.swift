/// The TOML 1.0.0 rules on where keys and tables may be defined.
extension DocumentParser {
    /// Finds or creates the table that a `[path]` header defines.
    ///
    /// The last key may name a missing table or one created only implicitly
    /// as the parent of an earlier header. Anything else is a redefinition.
    func defineTable(_ path: [KeyPart], in root: TableNode) throws(TOMLError) -> TableNode {
        let parent = try descendForHeader(path, in: root)
        let last = path[path.count - 1]
        let name = path.dottedDescription
        switch parent[last.name] {
        case nil:
            let table = TableNode(origin: .header)
            parent.insert(.table(table), for: last.name)
            return table
        case .table(let table):
            switch table.origin {
            case .implicit:
                table.origin = .header
                return table
            case .header:
                throw error(.duplicateTable, "table [\(name)] is defined twice; merge the two sections", at: last.offset)
            case .dotted:
                throw error(.duplicateTable, "table [\(name)] was already defined by dotted keys; add its keys there instead of in a [\(name)] section", at: last.offset)
            }
        case .arrayOfTables:
            throw error(.duplicateTable, "[\(name)] is an array of tables; use [[\(name)]] to add an element", at: last.offset)
        case .value(let value):
            throw conflictError(path, holding: value, at: last)
        }
    }

    /// Appends a new table to the array of tables that a `[[path]]` header
    /// names, creating the array if it is missing.
    func appendTableArrayElement(_ path: [KeyPart], in root: TableNode) throws(TOMLError) -> TableNode {
        let parent = try descendForHeader(path, in: root)
        let last = path[path.count - 1]
        let name = path.dottedDescription
        let element = TableNode(origin: .header)
        switch parent[last.name] {
        case nil:
            parent.insert(.arrayOfTables(TableNode.TableArray(elements: [element])), for: last.name)
        case .arrayOfTables(let array):
            array.elements.append(element)
        case .table:
            throw error(.duplicateTable, "[[\(name)]] names a table, not an array of tables; rename one of them", at: last.offset)
        case .value(let value):
            throw conflictError(path, holding: value, at: last)
        }
        return element
    }

    /// Walks a header's parent keys and creates missing ones as implicit
    /// tables. Through an array of tables it walks into the last element.
    private func descendForHeader(_ path: [KeyPart], in root: TableNode) throws(TOMLError) -> TableNode {
        var table = root
        for (position, part) in path.dropLast().enumerated() {
            switch table[part.name] {
            case nil:
                let child = TableNode(origin: .implicit)
                table.insert(.table(child), for: part.name)
                table = child
            case .table(let child):
                table = child
            case .arrayOfTables(let array):
                table = array.elements[array.elements.count - 1]
            case .value(let value):
                throw conflictError(Array(path[...position]), holding: value, at: part)
            }
        }
        return table
    }

    /// Assigns `value` to a possibly dotted key inside `table`, creating the
    /// tables that the dotted key names.
    ///
    /// Dotted keys may extend tables that dotted keys created, and tables
    /// created implicitly by a header, but not a table that a header
    /// defined, an array of tables, or an inline table.
    func assign(_ value: TOMLValue, to path: [KeyPart], in table: TableNode) throws(TOMLError) {
        var current = table
        for (position, part) in path.dropLast().enumerated() {
            let prefix = Array(path[...position])
            switch current[part.name] {
            case nil:
                let child = TableNode(origin: .dotted)
                current.insert(.table(child), for: part.name)
                current = child
            case .table(let child):
                switch child.origin {
                case .dotted:
                    break
                case .implicit:
                    // NOTE: TOML 1.0.0 does not say whether dotted keys may
                    // extend a table that a header created implicitly. This
                    // parser allows it, as tomli (Python's tomllib) does,
                    // and then no header may define that table.
                    child.origin = .dotted
                case .header:
                    throw error(.duplicateTable, "dotted key \(path.dottedDescription) adds to table \(prefix.dottedDescription), which its own [header] section defines; set the key in that section", at: part.offset)
                }
                current = child
            case .arrayOfTables:
                throw error(.duplicateTable, "dotted key \(path.dottedDescription) cannot add to the array of tables \(prefix.dottedDescription); set the key under its [[header]]", at: part.offset)
            case .value(let existing):
                throw conflictError(prefix, holding: existing, at: part)
            }
        }

        let last = path[path.count - 1]
        guard current[last.name] == nil else {
            throw error(.duplicateKey, "key \(path.dottedDescription) is defined twice; remove one of the definitions", at: last.offset)
        }
        current.insert(.value(value), for: last.name)
    }

    /// Builds the error for using a key that contains a plain value as a table.
    private func conflictError(_ path: [KeyPart], holding value: TOMLValue, at part: KeyPart) -> TOMLError {
        let name = path.dottedDescription
        switch value {
        case .table:
            return error(.immutableInlineTable, "key \(name) holds an inline table, which cannot be extended after its closing brace; add the keys inside the braces", at: part.offset)
        case .array:
            return error(.immutableArray, "key \(name) holds an array value, which cannot be extended with [[\(name)]] or used as a table; use only one of the two forms", at: part.offset)
        default:
            return error(.duplicateKey, "key \(name) already holds \(value.typeDescription) and cannot also be a table; rename one of them", at: part.offset)
        }
    }
}
