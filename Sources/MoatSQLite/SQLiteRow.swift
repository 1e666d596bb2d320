import Foundation

/// One result row. Columns are looked up by the name SQLite reports
/// (the `AS` alias when there is one); the first column wins when two share a name.
public struct SQLiteRow: Sendable {
    let columnIndex: [String: Int]
    public let values: [SQLiteValue]

    init(columnIndex: [String: Int], values: [SQLiteValue]) {
        self.columnIndex = columnIndex
        self.values = values
    }

    /// The value of `column`, or nil when the row has no such column.
    public subscript(column: String) -> SQLiteValue? {
        guard let index = columnIndex[column] else { return nil }
        return values[index]
    }

    /// The text in `column`; nil for NULL, a missing column or another storage class.
    public func string(_ column: String) -> String? {
        guard case .text(let value) = self[column] else { return nil }
        return value
    }

    /// The integer in `column`; nil for NULL, a missing column or another storage class.
    public func int64(_ column: String) -> Int64? {
        guard case .integer(let value) = self[column] else { return nil }
        return value
    }

    /// The integer in `column` as `Int`; nil where ``int64(_:)`` is nil.
    public func int(_ column: String) -> Int? {
        int64(column).map { Int($0) }
    }

    /// The number in `column`, converting an integer to `Double`; nil for other storage classes.
    public func double(_ column: String) -> Double? {
        switch self[column] {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The bytes in `column`; nil for NULL, a missing column or another storage class.
    public func data(_ column: String) -> Data? {
        guard case .blob(let value) = self[column] else { return nil }
        return value
    }
}
