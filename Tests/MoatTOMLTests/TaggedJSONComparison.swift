import Foundation
import MoatTOML

/// Compares parsed TOML with toml-test's tagged JSON, in which every scalar
/// is `{"type": T, "value": "<text>"}`, tables are objects and arrays are
/// arrays.
///
/// Values are compared by meaning, as toml-test does: integers and floats
/// numerically (`nan` equals `nan`), offset date-times as instants, local
/// date-times by their components, so `.6` equals `.600`.
enum TaggedJSONComparison {
    /// Returns the first difference as "path: explanation", or `nil`.
    static func difference(_ table: TOMLTable, _ expected: Any, path: String = "") -> String? {
        guard let object = expected as? [String: Any] else {
            return "\(path): expected \(expected), found a table"
        }
        let actualKeys = Set(table.keys)
        let expectedKeys = Set(object.keys)
        if actualKeys != expectedKeys {
            return "\(path): keys \(actualKeys.sorted()) differ from expected \(expectedKeys.sorted())"
        }
        for (key, value) in table {
            if let difference = difference(value, object[key]!, path: path + "." + key) {
                return difference
            }
        }
        return nil
    }

    private static func difference(_ value: TOMLValue, _ expected: Any, path: String) -> String? {
        switch value {
        case .table(let table):
            return difference(table, expected, path: path)
        case .array(let elements):
            guard let expectedElements = expected as? [Any] else {
                return "\(path): expected \(expected), found an array"
            }
            guard elements.count == expectedElements.count else {
                return "\(path): expected \(expectedElements.count) elements, found \(elements.count)"
            }
            for (index, element) in elements.enumerated() {
                if let difference = difference(element, expectedElements[index], path: "\(path)[\(index)]") {
                    return difference
                }
            }
            return nil
        default:
            guard let tagged = expected as? [String: Any],
                  let type = tagged["type"] as? String,
                  let text = tagged["value"] as? String
            else {
                return "\(path): expected \(expected), found \(value)"
            }
            return scalarDifference(value, type: type, text: text, path: path)
        }
    }

    private static func scalarDifference(_ value: TOMLValue, type: String, text: String, path: String) -> String? {
        let isEqual: Bool
        switch (value, type) {
        case (.string(let string), "string"):
            isEqual = string == text
        case (.integer(let integer), "integer"):
            isEqual = Int64(text) == integer
        case (.float(let float), "float"):
            isEqual = floatsMatch(float, text)
        case (.boolean(let boolean), "bool"):
            isEqual = String(boolean) == text
        case (.offsetDateTime(let dateTime), "datetime"):
            let expected = RFC3339Text(text)?.instant
            isEqual = expected != nil && expected == RFC3339Text(dateTime.description)?.instant
        case (.localDateTime(let dateTime), "datetime-local"),
             (.localDate(let dateTime), "date-local"),
             (.localTime(let dateTime), "time-local"):
            let expected = RFC3339Text(text)
            isEqual = expected != nil && expected == RFC3339Text(dateTime.description)
        default:
            return "\(path): expected \(type) \(text), found \(value)"
        }
        return isEqual ? nil : "\(path): expected \(type) \(text), found \(value)"
    }

    private static func floatsMatch(_ float: Double, _ text: String) -> Bool {
        switch text {
        case "nan", "+nan", "-nan":
            return float.isNaN
        case "inf", "+inf":
            return float == .infinity
        case "-inf":
            return float == -.infinity
        default:
            return Double(text) == float
        }
    }
}

/// The components of an RFC 3339 date, time or date-time, decoded here
/// independently of the parser under test.
struct RFC3339Text: Equatable {
    var date: [Int]?
    var time: [Int]?
    var offsetMinutes: Int?

    init?(_ text: String) {
        var rest = Substring(text)
        if rest.count >= 10, rest.dropFirst(4).first == "-" {
            date = rest.prefix(10).split(separator: "-").compactMap { Int($0) }
            rest = rest.dropFirst(10)
            if let separator = rest.first, "Tt ".contains(separator) {
                rest = rest.dropFirst()
            }
        }
        if !rest.isEmpty {
            let clock = rest.prefix(8).split(separator: ":").compactMap { Int($0) }
            rest = rest.dropFirst(8)
            var nanosecond = 0
            if rest.first == "." {
                let digits = rest.dropFirst().prefix { $0.isNumber }
                nanosecond = Int((digits + String(repeating: "0", count: 9)).prefix(9)) ?? 0
                rest = rest.dropFirst(1 + digits.count)
            }
            time = clock + [nanosecond]
            if let sign = rest.first, sign == "+" || sign == "-" {
                let parts = rest.dropFirst().split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2 else { return nil }
                offsetMinutes = (sign == "-" ? -1 : 1) * (parts[0] * 60 + parts[1])
                rest = ""
            } else if rest == "Z" || rest == "z" {
                offsetMinutes = 0
                rest = ""
            }
        }
        guard rest.isEmpty, date?.count ?? 3 == 3, time?.count ?? 4 == 4 else {
            return nil
        }
    }

    /// Seconds and nanoseconds since 1970-01-01T00:00:00Z, for offset
    /// date-times.
    var instant: [Int]? {
        guard let date, let time, let offsetMinutes else {
            return nil
        }
        // Days from civil date, after Howard Hinnant's `days_from_civil`.
        let year = date[1] <= 2 ? date[0] - 1 : date[0]
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let monthIndex = (date[1] + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + date[2] - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + time[0] * 3_600 + time[1] * 60 + time[2] - offsetMinutes * 60
        return [seconds, time[3]]
    }
}
