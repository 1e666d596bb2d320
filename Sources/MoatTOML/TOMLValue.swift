/// A TOML 1.0.0 value.
///
/// The four date-time cases mirror the four TOML date-time types, and each
/// carries a `TOMLDateTime` whose optional parts match the case.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    /// An IEEE 754 binary64 float, so `nan` compares unequal to itself as usual.
    case float(Double)
    case boolean(Bool)
    /// A date, a time and an offset from UTC, such as `1979-05-27T07:32:00Z`.
    case offsetDateTime(TOMLDateTime)
    /// A date and a time without an offset, such as `1979-05-27T07:32:00`.
    case localDateTime(TOMLDateTime)
    /// A date only, such as `1979-05-27`.
    case localDate(TOMLDateTime)
    /// A time of day only, such as `07:32:00`.
    case localTime(TOMLDateTime)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The string, or `nil` for any other case.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, or `nil` for any other case.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The float, or `nil` for any other case including integers.
    public var floatValue: Double? {
        if case .float(let value) = self { return value }
        return nil
    }

    /// The boolean, or `nil` for any other case.
    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    /// The date-time of any of the four date-time cases, or `nil`.
    public var dateTimeValue: TOMLDateTime? {
        switch self {
        case .offsetDateTime(let value), .localDateTime(let value),
             .localDate(let value), .localTime(let value):
            return value
        default:
            return nil
        }
    }

    /// The elements, or `nil` for any other case. Arrays of tables are arrays
    /// whose elements are `.table`.
    public var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The table, or `nil` for any other case.
    public var tableValue: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }

    /// The TOML name of the value's type with an article, for error messages
    /// such as "key port holds an integer".
    public var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .offsetDateTime: "an offset date-time"
        case .localDateTime: "a local date-time"
        case .localDate: "a local date"
        case .localTime: "a local time"
        case .array: "an array"
        case .table: "a table"
        }
    }
}
