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

    static let partnerTenantID = "5b7c1e0a-2f64-4d83-9a1e-c0d2b4f6a817"
    static let otherTenantID = "8e3f9d21-6a4b-4c7e-b5d0-1f2a3c4d5e6f"

    static let partnerTenants = """
        [[tenants]]
        id = "\(partnerTenantID)"
        name = "Partner tenant"

        [[tenants]]
        id = "\(otherTenantID)"
        name = "Other tenant"

        """

    static func partnerUser(groups: String) -> String {
        """
        [[users]]
        name = "zoe"
        id = "0d9c3b4a-6e71-4c2f-b8a5-93f1e07d2c64"
        display_name = "Zoe Partner"
        username = "zoe@partner.example"
        password = "moat-demo"
        groups = \(groups)
        tenant = "\(partnerTenantID)"

        """
    }

    static func group(name: String, id: String, tenantID: String) -> String {
        """
        [[groups]]
        name = "\(name)"
        id = "\(id)"
        tenant = "\(tenantID)"

        """
    }

    @Test("partner user in a home group is rejected")
    func partnerUserInHomeGroupIsRejected() throws {
        let text = Self.tenant + Self.partnerTenants + Self.engineering + Self.partnerUser(groups: #"["engineering"]"#)
        let reason = try #require(try loadingError(text))

        #expect(reason.contains("user zoe"))
        #expect(reason.contains("\"engineering\""))
        #expect(reason.contains(Self.partnerTenantID))
        #expect(reason.contains("1921488a-9834-4920-864a-44dfc001e2df"))
        #expect(reason.contains("remove the group"))
    }

    @Test("partner user in a third tenant's group is rejected")
    func partnerUserInOtherTenantGroupIsRejected() throws {
        let sales = Self.group(name: "sales", id: "c4a5e6f7-0b1c-4d2e-8f3a-5b6c7d8e9f01", tenantID: Self.otherTenantID)
        let text = Self.tenant + Self.partnerTenants + sales + Self.partnerUser(groups: #"["sales"]"#)
        let reason = try #require(try loadingError(text))

        #expect(reason.contains("user zoe"))
        #expect(reason.contains("\"sales\""))
        #expect(reason.contains(Self.partnerTenantID))
        #expect(reason.contains(Self.otherTenantID))
    }

    @Test("home user in a partner group is rejected")
    func homeUserInPartnerGroupIsRejected() throws {
        let partners = Self.group(name: "engineering", id: "31d35284-3f47-4bf2-809b-10430a62c6df", tenantID: Self.partnerTenantID)
        let reason = try #require(try loadingError(Self.tenant + Self.partnerTenants + partners + Self.user()))

        #expect(reason.contains("user alice"))
        #expect(reason.contains(Self.partnerTenantID))
        #expect(reason.contains("1921488a-9834-4920-864a-44dfc001e2df"))
    }

    @Test("partner user in a partner group loads")
    func partnerUserInPartnerGroupLoads() throws {
        let partners = Self.group(name: "partners", id: "c4a5e6f7-0b1c-4d2e-8f3a-5b6c7d8e9f01", tenantID: Self.partnerTenantID)
        let directory = try load(Self.tenant + Self.partnerTenants + partners + Self.partnerUser(groups: #"["partners"]"#))
        let zoe = try #require(directory.user(signInName: "zoe"))
        let group = try #require(directory.group(named: "partners"))

        #expect(directory.groupObjectIDs(of: zoe) == ["c4a5e6f7-0b1c-4d2e-8f3a-5b6c7d8e9f01"])
        #expect(directory.tenant(of: group).id == Self.partnerTenantID)
    }

    @Test("group of an undefined tenant is rejected")
    func groupOfUndefinedTenantIsRejected() throws {
        let orphan = Self.group(name: "orphans", id: "c4a5e6f7-0b1c-4d2e-8f3a-5b6c7d8e9f01", tenantID: "9f9f9f9f-9f9f-4f9f-8f9f-9f9f9f9f9f9f")
        let reason = try #require(try loadingError(Self.tenant + orphan))

        #expect(reason.contains("group orphans"))
        #expect(reason.contains("9f9f9f9f-9f9f-4f9f-8f9f-9f9f9f9f9f9f"))
        #expect(reason.contains("[[tenants]]"))
    }
}
