import Foundation
import MoatCore

/// An ordered list of header fields in which a name may appear more than once.
///
/// Names compare case-insensitively (RFC 9110 §5.1) and keep the spelling
/// they were added with. Iteration returns the fields in insertion order.
public struct HTTPHeaders: Sendable, Sequence {
    /// One header field.
    public typealias Field = (name: String, value: String)

    private var fields: [Field]

    /// Creates an empty header list.
    public init() {
        fields = []
    }

    /// Creates a header list holding `pairs` in order, duplicates included.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// Returns the first value of the field `name`, or nil when it is absent.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// Returns every value of the field `name`, in the order received.
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// Returns whether at least one field is named `name`.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesMatch($0.name, name) }
    }

    /// Reserves room for `count` fields, so a list built field by field grows once.
    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Appends a field and keeps any existing fields of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` with one field holding `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        // Checked first, because removeAll(where:) rebuilds the array even when nothing matches.
        guard contains(name) else { return }
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// Removes every field for which `shouldRemove` returns true and keeps the order of the rest.
    public mutating func removeAll(where shouldRemove: (Field) throws -> Bool) rethrows {
        try fields.removeAll(where: shouldRemove)
    }

    /// The number of fields, duplicates included.
    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    /// Compares two field names ignoring ASCII case, which is the only case
    /// folding header names need because they are tokens (RFC 9110 §5.1).
    public static func namesMatch(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count
            && lhs.withUTF8Buffer { left in
                rhs.withUTF8Buffer { right in
                    zip(left, right).allSatisfy { asciiLowercased($0) == asciiLowercased($1) }
                }
            }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
