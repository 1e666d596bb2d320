import Foundation
import MoatDevIdP
import Testing

/// Directory files are checked when loaded, and each error names the entry at fault.
@Suite("Directory loading")
struct DirectoryLoadingTests {
    static let tenant = """
        [tenant]
        id = "1921488a-9834-4920-864a-44dfc001e2df"
        name = "Test tenant"

        """

    static let engineering = """
        [[groups]]
        name = "engineering"
        id = "31d35284-3f47-4bf2-809b-10430a62c6df"

        """

    static func user(groups: String = #"["engineering"]"#, id: String = "2afeed91-10d6-4063-932f-71f5c7146f3f") -> String {
        """
        [[users]]
        name = "alice"
        id = "\(id)"
        display_name = "Alice Martin"
        username = "alice@fabrikam.example"
        password = "moat-demo"
        groups = \(groups)

        """
    }

    static func app(name: String, clientID: String, objectID: String) -> String {
        """
        [[apps]]
        name = "\(name)"
        client_id = "\(clientID)"
        object_id = "\(objectID)"
        identifier_uri = "api://\(name)"
        scopes = ["Chat"]

        [[apps.roles]]
        value = "Reader"
        member_types = ["User"]

        """
    }

    static let api = app(name: "moat-api", clientID: "9ac2b0ec-fbc8-4ee2-991e-793f1344adab", objectID: "a42a0035-d88f-4ab0-889b-d8c0789bfb0f")

    static func assignment(role: String = "Reader", principal: String = "group:engineering") -> String {
        """
        [[assignments]]
        app = "moat-api"
        role = "\(role)"
        principal = "\(principal)"

        """
    }

    /// Writes `text` to a temporary file and loads it.
    private func load(_ text: String) throws -> Directory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("moat-directory-\(UUID().uuidString).toml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Directory.load(contentsOf: url)
    }

    /// Returns the reason of the DirectoryError that loading `text` throws, or nil when it loads.
    private func loadingError(_ text: String) throws -> String? {
        do {
            _ = try load(text)
            return nil
        } catch let error as DirectoryError {
            return error.reason
        }
    }

    @Test("valid directory loads")
    func validDirectoryLoads() throws {
        let directory = try load(Self.tenant + Self.engineering + Self.user() + Self.api + Self.assignment())

        #expect(directory.users.map(\.name) == ["alice"])
        #expect(directory.apps.map(\.name) == ["moat-api"])
        #expect(directory.assignments.count == 1)
    }

    @Test("demo directory loads")
    func demoDirectoryLoads() throws {
        let directory = try load(try TestDirectory.demoText())

        #expect(directory.tenant.id == "1921488a-9834-4920-864a-44dfc001e2df")
        #expect(directory.app(named: "moat-auditor") != nil)
    }

    @Test("misspelt app key is rejected by name")
    func misspeltKeyIsRejected() throws {
        let misspelt = Self.api.replacingOccurrences(of: "scopes", with: "scope")
        let reason = try loadingError(Self.tenant + Self.engineering + Self.user() + misspelt)

        #expect(reason?.contains("scope is not a known setting") == true, "reason: \(reason ?? "none")")
    }

    @Test("user in an unknown group is rejected")
    func unknownGroupIsRejected() throws {
        let reason = try loadingError(Self.tenant + Self.engineering + Self.user(groups: #"["engineering", "marketing"]"#) + Self.api)

        #expect(reason?.contains("alice") == true)
        #expect(reason?.contains("marketing") == true)
    }

    @Test("assignment of an undefined role is rejected")
    func undefinedRoleIsRejected() throws {
        let reason = try loadingError(Self.tenant + Self.engineering + Self.user() + Self.api + Self.assignment(role: "Owner"))

        #expect(reason?.contains("Owner") == true)
        #expect(reason?.contains("moat-api") == true)
    }

    @Test("assignment to an unknown principal is rejected", arguments: ["group:marketing", "user:mallory", "app:ghost", "alice", "user:"])
    func unknownPrincipalIsRejected(principal: String) throws {
        let reason = try loadingError(Self.tenant + Self.engineering + Self.user() + Self.api + Self.assignment(principal: principal))

        #expect(reason?.contains(principal) == true)
    }

    @Test("duplicate client id is rejected")
    func duplicateClientIDIsRejected() throws {
        let copy = Self.app(name: "moat-copy", clientID: "9ac2b0ec-fbc8-4ee2-991e-793f1344adab", objectID: "5506508e-bf57-4f71-8e6d-1ba6af101f1b")

        let reason = try loadingError(Self.tenant + Self.api + copy)

        #expect(reason?.contains("9ac2b0ec-fbc8-4ee2-991e-793f1344adab") == true)
    }

    @Test("client id differing only in case is a duplicate")
    func caseVariantClientIDIsDuplicate() throws {
        let copy = Self.app(name: "moat-copy", clientID: "9AC2B0EC-FBC8-4EE2-991E-793F1344ADAB", objectID: "5506508e-bf57-4f71-8e6d-1ba6af101f1b")

        let reason = try loadingError(Self.tenant + Self.api + copy)

        #expect(reason?.contains("9ac2b0ec-fbc8-4ee2-991e-793f1344adab") == true)
    }

    @Test("duplicate object id is rejected")
    func duplicateObjectIDIsRejected() throws {
        let reason = try loadingError(Self.tenant + Self.engineering + Self.user(id: "31d35284-3f47-4bf2-809b-10430a62c6df") + Self.api)

        #expect(reason?.contains("31d35284-3f47-4bf2-809b-10430a62c6df") == true)
    }

    @Test("non-GUID id is rejected", arguments: [
        "alice",
        "2afeed91-10d6-4063-932f-71f5c7146f3",
        "2afeed91-10d6-4063-932f-71f5c7146f3fa",
        "{2afeed91-10d6-4063-932f-71f5c7146f3f}",
    ])
    func nonGUIDIsRejected(id: String) throws {
        let reason = try loadingError(Self.tenant + Self.engineering + Self.user(id: id) + Self.api)

        #expect(reason?.contains("users[0].id") == true)
        #expect(reason?.contains("GUID") == true)
    }

    @Test("non-GUID client id is rejected")
    func nonGUIDClientIDIsRejected() throws {
        let reason = try loadingError(Self.tenant + Self.app(name: "moat-api", clientID: "moat-api", objectID: "a42a0035-d88f-4ab0-889b-d8c0789bfb0f"))

        #expect(reason?.contains("apps[0].client_id") == true)
    }

    @Test("unknown member type is rejected")
    func unknownMemberTypeIsRejected() throws {
        let text = Self.tenant + Self.api.replacingOccurrences(of: #"member_types = ["User"]"#, with: #"member_types = ["Robot"]"#)

        let reason = try loadingError(text)

        #expect(reason?.contains("Robot") == true)
    }

    @Test("missing tenant is rejected")
    func missingTenantIsRejected() throws {
        let reason = try loadingError(Self.engineering)

        #expect(reason?.contains("tenant") == true)
    }
}
