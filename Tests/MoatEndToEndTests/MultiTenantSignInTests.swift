import Foundation
import MoatConfig
import MoatLauncher
import Testing

/// Sign-in at the web tier configured with Entra ID's multi-tenant issuer
/// template, against a dev IdP that serves three tenants.
@Suite("multi-tenant sign-in", .serialized)
struct MultiTenantSignInTests {
    static let homeTenant = "1921488a-9834-4920-864a-44dfc001e2df"
    static let allowedPartner = "5b2e1c7d-0f3a-4c8e-9d61-2a7b4e9f0c13"
    static let otherTenant = "e8d4a0b6-7c21-4f59-8a3e-61c0d9b7f245"

    /// Returns the demo directory with two more tenants and one user in each, registered at `webPort`.
    static func directoryText(webPort: Int) throws -> String {
        let demo = try String(contentsOf: #require(DemoResources.directoryFile), encoding: .utf8)
        let extra = """

            [[tenants]]
            id = "\(allowedPartner)"
            name = "Contoso (partner)"

            [[tenants]]
            id = "\(otherTenant)"
            name = "Northwind (not allowed)"

            [[users]]
            name = "zoe"
            id = "0d9c3b4a-6e71-4c2f-b8a5-93f1e07d2c64"
            display_name = "Zoe Contoso"
            username = "zoe@contoso.example"
            password = "moat-demo"
            tenant = "\(allowedPartner)"

            [[users]]
            name = "nina"
            id = "7f3a92c1-5b8e-4d06-a1c9-2e64b0f8d735"
            display_name = "Nina Northwind"
            username = "nina@northwind.example"
            password = "moat-demo"
            tenant = "\(otherTenant)"

            """
        // Tenants and users go before the applications, next to the demo's own users.
        guard let apps = demo.range(of: "\n[[apps]]") else { throw TestFailure("the demo directory has no [[apps]]") }
        var text = demo
        text.insert(contentsOf: extra, at: apps.lowerBound)
        return text.replacingOccurrences(of: "http://127.0.0.1:8080", with: "http://127.0.0.1:\(webPort)")
    }

    /// Starts a stack whose web tier and api use the `{tenantid}` issuer and allow the home tenant and Contoso.
    static func start() async throws -> TestStack {
        try await startWithDirectory().test
    }

    /// Starts the stack of ``start()`` and also returns the path of its directory file.
    static func startWithDirectory() async throws -> (test: TestStack, directory: String) {
        let idpPort = try PortPicker.freePort()
        let webPort = try PortPicker.freePort()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-tenants-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let directoryFile = folder.appendingPathComponent("directory.toml")
        try directoryText(webPort: webPort).write(to: directoryFile, atomically: true, encoding: .utf8)
        let test = try await TestStack.start { configuration in
            configuration.idp.port = idpPort
            configuration.idp.directory = directoryFile.path
            configuration.web.port = webPort
            configuration.web.clientSecret = "moat-web-demo-secret"
            configuration.api.issuer = "http://127.0.0.1:\(idpPort)/{tenantid}/v2.0"
            configuration.api.allowedTenants = [homeTenant, allowedPartner]
        }
        return (test, directoryFile.path)
    }

    /// Returns the error of `moat token --user zoe` against `test`, or nil when it succeeds.
    static func zoeTokenError(_ test: TestStack, directory: String, webPort: Int? = nil, tenant: String?) async throws -> LaunchError? {
        var configuration = try TokenCommandTests.tokenConfiguration(test, webPort: webPort ?? TokenCommandTests.port(of: test.stack.webURL))
        configuration.idp.directory = directory
        do {
            let tokens = try await TokenCommand.run(.user(name: "zoe", password: "moat-demo"), configuration: configuration, tenant: tenant)
            #expect(!tokens.accessToken.isEmpty)
            return nil
        } catch let error as LaunchError {
            return error
        }
    }

    @Test("moat token for another tenant's user names --tenant")
    func tokenForPartnerUser() async throws {
        let (test, directory) = try await Self.startWithDirectory()
        defer { Task { await test.stop() } }

        let atHome = try await Self.zoeTokenError(test, directory: directory, tenant: nil)
        let atPartner = try await Self.zoeTokenError(test, directory: directory, tenant: Self.allowedPartner)
        let unknown = try await Self.zoeTokenError(test, directory: directory, tenant: "00000000-0000-0000-0000-000000000000")

        #expect(atHome?.reason.contains("--tenant \(Self.allowedPartner)") == true, "reason: \(atHome?.reason ?? "none")")
        #expect(atPartner == nil, "reason: \(atPartner?.reason ?? "none")")
        #expect(unknown?.reason.contains("is not a tenant of the directory") == true, "reason: \(unknown?.reason ?? "none")")
    }

    @Test("redirect mismatch with custom directory names its file")
    func redirectMismatchNamesDirectory() async throws {
        let (test, directory) = try await Self.startWithDirectory()
        defer { Task { await test.stop() } }
        let webPort = try TokenCommandTests.port(of: test.stack.webURL)

        let error = try await Self.zoeTokenError(test, directory: directory, webPort: webPort == 65_000 ? 65_001 : 65_000, tenant: Self.allowedPartner)

        let reason = error?.reason ?? "none"
        #expect(reason.contains("redirect_uri_mismatch"), "reason: \(reason)")
        #expect(reason.contains("redirect_uris"), "reason: \(reason)")
        #expect(reason.contains(directory), "reason: \(reason)")
    }

    @Test("user of allowed partner tenant signs in")
    func partnerSignsIn() async throws {
        let test = try await Self.start()
        defer { Task { await test.stop() } }

        let agent = UserAgent()
        let csrfToken = try await agent.signInToWeb(test.stack, user: "zoe")

        #expect(!csrfToken.isEmpty)
        let signedIn = test.logs.entries.first { $0.message == "user signed in" }
        #expect(signedIn?.metadata["moat.user.oid"] == "0d9c3b4a-6e71-4c2f-b8a5-93f1e07d2c64")
    }

    @Test("home tenant user signs in and calls api")
    func homeUserCallsAPI() async throws {
        let test = try await Self.start()
        defer { Task { await test.stop() } }

        let agent = UserAgent()
        let csrfToken = try await agent.signInToWeb(test.stack, user: "alice")
        let reply = try await agent.ask(test.stack, "What is the on-call allowance?", csrfToken: csrfToken)

        #expect(reply.status == 200)
    }

    @Test("user of tenant outside allow-list is rejected")
    func otherTenantRejected() async throws {
        let test = try await Self.start()
        defer { Task { await test.stop() } }

        let agent = UserAgent()
        let start = try await agent.send("GET", test.stack.webURL + "/auth/login")
        let authorizeURL = try #require(start.location)
        #expect(authorizeURL.contains("/organizations/oauth2/v2.0/authorize"))
        let loginPage = try await agent.send("GET", authorizeURL)
        let transaction = try #require(hiddenField("transaction", in: loginPage.text))
        let csrf = try #require(hiddenField("csrf_token", in: loginPage.text))
        let action = String(authorizeURL.prefix { $0 != "?" })
        let submitted = try await agent.form(
            action, [("transaction", transaction), ("csrf_token", csrf), ("username", "nina"), ("password", "moat-demo")])
        let callback = try #require(submitted.location)
        let landed = try await agent.send("GET", callback)

        #expect(landed.status == 400)
        #expect(landed.text.contains("Your organization is not allowed to use this application"))
        #expect(agent.cookies.keys.allSatisfy { !$0.contains("session") })
        let rejected = test.logs.entries.first { $0.message == "sign-in callback rejected" }
        #expect(rejected?.metadata["moat.signin.reason"] == "tenant_not_allowed")
    }

    @Test("organizations discovery names issuer template")
    func discoveryTemplate() async throws {
        let test = try await Self.start()
        defer { Task { await test.stop() } }

        let agent = UserAgent()
        let reply = try await agent.send("GET", test.stack.idpURL + "/organizations/v2.0/.well-known/openid-configuration")
        let document = try reply.json()

        #expect(document["issuer"] as? String == test.stack.idpURL + "/{tenantid}/v2.0")
        #expect(document["token_endpoint"] as? String == test.stack.idpURL + "/organizations/oauth2/v2.0/token")
    }
}
