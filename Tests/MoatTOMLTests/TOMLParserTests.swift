import Foundation
import MoatTOML
import Testing

@Suite("TOMLParser")
struct TOMLParserTests {
    /// Parses `text`, expecting a failure, and returns the error.
    private func parseError(_ text: String) -> TOMLError? {
        do {
            _ = try TOMLParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Errors

    @Test("error names line and column")
    func errorNamesLineAndColumn() throws {
        let error = try #require(parseError("a = 1\nb = \n"))
        #expect(error.line == 2)
        #expect(error.column == 5)
        #expect(error.code == .unexpectedCharacter)
        #expect(error.description.hasPrefix("line 2, column 5: expected a value"))
    }

    @Test("column counts Unicode scalars")
    func columnCountsScalars() throws {
        let error = try #require(parseError("é = 1"))
        #expect(error.line == 1)
        #expect(error.column == 1)

        let later = try #require(parseError("\"é\" = x"))
        #expect(later.column == 7)
    }

    @Test("duplicate key points at second definition")
    func duplicateKey() throws {
        let error = try #require(parseError("name = \"a\"\n\nname = \"b\"\n"))
        #expect(error.code == .duplicateKey)
        #expect(error.line == 3)
        #expect(error.reason.contains("name"))
    }

    @Test("table header repeated is rejected")
    func duplicateTable() throws {
        let error = try #require(parseError("[server]\nport = 1\n[server]\nhost = \"x\"\n"))
        #expect(error.code == .duplicateTable)
        #expect(error.line == 3)
    }

    @Test("error codes are snake_case strings")
    func errorCodeRawValues() {
        #expect(TOMLError.Code.invalidUTF8.rawValue == "invalid_utf8")
        #expect(TOMLError.Code.duplicateKey.rawValue == "duplicate_key")
        #expect(TOMLError.Code.immutableInlineTable.rawValue == "immutable_inline_table")
        for code in TOMLError.Code.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(code.rawValue)")
        }
    }

    // MARK: - Line endings and encoding

    @Test("CRLF line endings are accepted")
    func crlfAccepted() throws {
        let table = try TOMLParser.parse("a = 1\r\n# comment\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\n")
        #expect(table["a"] == .integer(1))
        #expect(table["b"] == .string("x\ny"))
    }

    @Test("lone carriage return is rejected")
    func loneCarriageReturn() throws {
        let error = try #require(parseError("a = 1\rb = 2\n"))
        #expect(error.code == .controlCharacter)
        #expect(error.line == 1)
    }

    @Test("control character in comment is rejected")
    func controlCharacterInComment() throws {
        let error = try #require(parseError("a = 1 # bell \u{07}\n"))
        #expect(error.code == .controlCharacter)
        #expect(error.column == 14)
    }

    @Test("invalid UTF-8 reports its line")
    func invalidUTF8() throws {
        let data = Data("a = 1\nb = \"".utf8) + Data([0xC3, 0x28]) + Data("\"\n".utf8)
        let error = try #require(throws: TOMLError.self) {
            try TOMLParser.parse(data)
        }
        #expect(error.code == .invalidUTF8)
        #expect(error.line == 2)
        #expect(error.column == 6)
    }

    @Test("leading byte order mark is skipped")
    func byteOrderMark() throws {
        let table = try TOMLParser.parse(Data([0xEF, 0xBB, 0xBF]) + Data("a = 1\n".utf8))
        #expect(table["a"] == .integer(1))
    }

    // MARK: - Values

    @Test("keys keep document order")
    func orderedKeys() throws {
        let table = try TOMLParser.parse("zeta = 1\nalpha = 2\n[mid]\nx = 3\n[beta]\n")
        #expect(table.keys == ["zeta", "alpha", "mid", "beta"])
        #expect(table.map(\.key) == ["zeta", "alpha", "mid", "beta"])
        #expect(table.count == 4)
    }

    @Test("table equality ignores key order")
    func tableEqualityIgnoresOrder() throws {
        let first = try TOMLParser.parse("a = 1\nb = 2\n")
        let second = try TOMLParser.parse("b = 2\na = 1\n")
        #expect(first == second)
    }

    @Test("integers cover the full Int64 range")
    func integerBounds() throws {
        let table = try TOMLParser.parse("min = -9_223_372_036_854_775_808\nmax = 0x7fff_ffff_ffff_ffff\n")
        #expect(table["min"]?.integerValue == Int64.min)
        #expect(table["max"]?.integerValue == Int64.max)
    }

    @Test("integer beyond Int64 is rejected")
    func integerOverflow() throws {
        let error = try #require(parseError("n = 9223372036854775808\n"))
        #expect(error.code == .integerOverflow)
        let hexError = try #require(parseError("n = 0x8000000000000000\n"))
        #expect(hexError.code == .integerOverflow)
    }

    @Test("February 29 follows leap-year rules")
    func leapYears() throws {
        let table = try TOMLParser.parse("d = 2000-02-29\n")
        #expect(table["d"]?.dateTimeValue?.date == TOMLDateTime.FullDate(year: 2000, month: 2, day: 29))
        let error = try #require(parseError("d = 1900-02-29\n"))
        #expect(error.code == .invalidDateTime)
    }

    @Test("date-time prints back as RFC 3339")
    func dateTimeDescription() throws {
        let table = try TOMLParser.parse("""
            offset = 1979-05-27 00:32:00.999999-07:00
            utc = 1979-05-27t07:32:00z
            local = 1979-05-27T07:32:00.5
            date = 1979-05-27
            time = 07:32:00.123456789123
            """)
        #expect(table["offset"]?.dateTimeValue?.description == "1979-05-27T00:32:00.999999-07:00")
        #expect(table["utc"]?.dateTimeValue?.description == "1979-05-27T07:32:00Z")
        #expect(table["local"]?.dateTimeValue?.description == "1979-05-27T07:32:00.5")
        #expect(table["date"]?.dateTimeValue?.description == "1979-05-27")
        #expect(table["time"]?.dateTimeValue?.description == "07:32:00.123456789")

        let date = TOMLDateTime.FullDate(year: 1979, month: 5, day: 27)
        let offsetTime = TOMLDateTime.PartialTime(hour: 0, minute: 32, second: 0, nanosecond: 999_999_000)
        #expect(table["offset"] == .offsetDateTime(TOMLDateTime(date: date, time: offsetTime, offsetMinutes: -420)))
        let localTime = TOMLDateTime.PartialTime(hour: 7, minute: 32, second: 0, nanosecond: 500_000_000)
        #expect(table["local"] == .localDateTime(TOMLDateTime(date: date, time: localTime)))
        #expect(table["date"] == .localDate(TOMLDateTime(date: date, time: nil)))
    }

    @Test("nested lookup follows dotted keys and arrays of tables")
    func nestedLookup() throws {
        let table = try TOMLParser.parse("""
            server.http = { port = 8080 }
            [[documents]]
            id = "a"
            [[documents]]
            id = "b"
            """)
        #expect(table.value(at: ["server", "http", "port"])?.integerValue == 8080)
        #expect(table.value(at: ["server", "missing"]) == nil)
        let documents = try #require(table["documents"]?.arrayValue)
        #expect(documents.compactMap { $0.tableValue?["id"]?.stringValue } == ["a", "b"])
    }

    // MARK: - Redefinition rules

    @Test("header may define an implicitly created table once")
    func implicitThenExplicit() throws {
        let table = try TOMLParser.parse("[a.b]\nx = 1\n[a]\ny = 2\n")
        #expect(table.value(at: ["a", "y"])?.integerValue == 2)
        let error = try #require(parseError("[a.b]\n[a]\n[a]\n"))
        #expect(error.code == .duplicateTable)
    }

    @Test("dotted keys may extend an implicit table")
    func dottedKeysExtendImplicitTable() throws {
        let table = try TOMLParser.parse("[a.b.c]\nz = 1\n[a]\nb.d = 2\n")
        #expect(table.value(at: ["a", "b", "d"])?.integerValue == 2)
        #expect(table.value(at: ["a", "b", "c", "z"])?.integerValue == 1)

        let error = try #require(parseError("[a.b.c]\n[a]\nb.d = 2\n[a.b]\n"))
        #expect(error.code == .duplicateTable)
        #expect(error.line == 4)
    }

    @Test("inline table cannot be extended")
    func inlineTableImmutable() throws {
        let error = try #require(parseError("a = { b = 1 }\n[a.c]\n"))
        #expect(error.code == .immutableInlineTable)
        #expect(error.line == 2)
    }

    @Test("static array cannot take [[header]]")
    func staticArrayImmutable() throws {
        let error = try #require(parseError("a = []\n[[a]]\n"))
        #expect(error.code == .immutableArray)
    }

    @Test("dotted keys cannot reopen a header table")
    func dottedKeysCannotReopenHeaderTable() throws {
        let error = try #require(parseError("[a.b]\nz = 1\n[a]\nb.y = 2\n"))
        #expect(error.code == .duplicateTable)
        #expect(error.line == 4)
    }

    // MARK: - Limits

    @Test("nesting beyond the limit is rejected")
    func nestingLimit() throws {
        let accepted = "a = " + String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(try TOMLParser.parse(accepted)["a"] != nil)

        let rejected = "a = " + String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        let error = try #require(parseError(rejected))
        #expect(error.code == .nestingTooDeep)
    }

    @Test("dotted keys count toward the nesting limit")
    func dottedKeysCountTowardNesting() throws {
        let key = Array(repeating: "k", count: 100).joined(separator: ".")
        let accepted = "[\(key)]\n\(Array(repeating: "k", count: 28).joined(separator: ".")) = 1\n"
        #expect(try TOMLParser.parse(accepted).value(at: Array(repeating: "k", count: 128))?.integerValue == 1)

        let underHeader = try #require(parseError("[\(key)]\n\(key) = 1\n"))
        #expect(underHeader.code == .nestingTooDeep)
        #expect(underHeader.line == 2)

        let inline = try #require(parseError("a = { \(key) = { \(key) = 1 } }\n"))
        #expect(inline.code == .nestingTooDeep)
    }

    @Test("key path beyond the limit is rejected")
    func keyPathLimit() throws {
        let key = Array(repeating: "k", count: 129).joined(separator: ".")
        let error = try #require(parseError("[\(key)]\n"))
        #expect(error.code == .nestingTooDeep)
    }
}
