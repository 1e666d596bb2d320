import MoatConfig
import MoatTOML
import Testing

@Suite("TOMLReader")
struct TOMLReaderTests {
    static func reader(_ toml: String) throws -> TOMLReader {
        TOMLReader(table: try TOMLParser.parse(toml))
    }

    @Test("missing required string is named with its table path")
    func missingStringNamed() throws {
        let section = try Self.reader("[group]\nname = \"x\"").table("group")

        let error = #expect(throws: ConfigurationError.self) {
            try section.string("id")
        }

        #expect(error?.reason == "group.id is missing")
    }

    @Test("GUID is lower-cased")
    func guidLowerCased() throws {
        let reader = try Self.reader("id = \"AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE\"")

        #expect(try reader.guid("id") == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    }

    @Test("value that is not a GUID is rejected", arguments: ["not-a-guid", "aaaaaaaa-bbbb-cccc-dddd", "{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}"])
    func invalidGUIDRejected(value: String) throws {
        let reader = try Self.reader("id = \"\(value)\"")

        let error = #expect(throws: ConfigurationError.self) {
            try reader.guid("id")
        }

        #expect(error?.reason.hasPrefix("id = \"\(value)\" is not a GUID") == true)
    }

    @Test("array of tables is read with indexed paths")
    func arrayOfTables() throws {
        let reader = try Self.reader("[[user]]\nname = \"a\"\n[[user]]\nrole = \"b\"")

        let users = try reader.tables("user")
        #expect(users.count == 2)
        #expect(try users[0].string("name") == "a")

        let error = #expect(throws: ConfigurationError.self) {
            try users[1].string("name")
        }
        #expect(error?.reason == "user[1].name is missing")
    }

    @Test("absent array of tables is empty")
    func absentTables() throws {
        #expect(try Self.reader("").tables("user").isEmpty)
    }

    @Test("missing table is named")
    func missingTable() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try Self.reader("").table("server")
        }

        #expect(error?.reason == "[server] is missing")
    }
}
