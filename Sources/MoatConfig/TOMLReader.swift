import Foundation
import MoatTOML

/// A configuration, manifest or directory file that cannot be used. The
/// reason names the key and what to write instead.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Typed access to one TOML table, with errors that name the key path.
public struct TOMLReader {
    public let table: TOMLTable
    /// Dotted path of this table from the file's root, used in error messages.
    public let path: String

    public init(table: TOMLTable, path: String = "") {
        self.table = table
        self.path = path
    }

    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func string(_ key: String) throws -> String {
        guard let value = table[key] else { throw ConfigurationError("\(keyPath(key)) is missing") }
        guard let string = value.stringValue, !string.isEmpty else {
            throw ConfigurationError("\(keyPath(key)) must be a non-empty string")
        }
        return string
    }

    public func optionalString(_ key: String) throws -> String? {
        guard table[key] != nil else { return nil }
        return try string(key)
    }

    public func guid(_ key: String) throws -> String {
        let value = try string(key)
        guard UUID(uuidString: value) != nil else {
            throw ConfigurationError("\(keyPath(key)) = \"\(value)\" is not a GUID such as 00000000-0000-0000-0000-000000000000")
        }
        return value.lowercased()
    }

    public func strings(_ key: String, default defaultValue: [String]) throws -> [String] {
        guard let value = table[key] else { return defaultValue }
        guard let array = value.arrayValue else {
            throw ConfigurationError("\(keyPath(key)) must be an array of strings but is \(value.typeDescription); write \(key) = [\"...\"]")
        }
        return try array.enumerated().map { index, element in
            guard let string = element.stringValue else {
                throw ConfigurationError("\(keyPath(key)) must be an array of strings but entry \(index + 1) is \(element.typeDescription)")
            }
            return string
        }
    }

    public func table(_ key: String) throws -> TOMLReader {
        guard let value = table[key]?.tableValue else { throw ConfigurationError("[\(keyPath(key))] is missing") }
        return TOMLReader(table: value, path: keyPath(key))
    }

    public func tables(_ key: String) throws -> [TOMLReader] {
        guard let value = table[key] else { return [] }
        guard let array = value.arrayValue else { throw ConfigurationError("\(keyPath(key)) must be an array of tables; write each entry under [[\(keyPath(key))]]") }
        return try array.enumerated().map { index, element in
            guard let entry = element.tableValue else { throw ConfigurationError("\(keyPath(key))[\(index)] must be a table") }
            return TOMLReader(table: entry, path: "\(keyPath(key))[\(index)]")
        }
    }

    public func optionalBool(_ key: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.boolValue else { throw ConfigurationError("\(keyPath(key)) must be true or false") }
        return bool
    }

    public func optionalInteger(_ key: String, range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = table[key] else { return nil }
        guard let integer = value.integerValue else {
            if let text = value.stringValue {
                let fix = Int64(text).map { "; write it without quotes: \(key) = \($0)" } ?? ", not the string \"\(text)\""
                throw ConfigurationError("\(keyPath(key)) must be an integer\(fix)")
            }
            throw ConfigurationError("\(keyPath(key)) must be an integer")
        }
        guard range.contains(integer) else {
            throw ConfigurationError("\(keyPath(key)) = \(integer) is out of range; use a value from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    public func optionalTable(_ key: String) throws -> TOMLReader? {
        guard let value = table[key] else { return nil }
        guard let nested = value.tableValue else { throw ConfigurationError("\(keyPath(key)) must be a table") }
        return TOMLReader(table: nested, path: keyPath(key))
    }

    /// Rejects keys that this reader does not know, so a misspelt setting is an error instead of being ignored.
    public func rejectUnknownKeys(_ known: Set<String>) throws {
        for key in table.keys where !known.contains(key) {
            throw ConfigurationError("\(keyPath(key)) is not a known setting; check its spelling (known: \(known.sorted().joined(separator: ", ")))")
        }
    }
}
