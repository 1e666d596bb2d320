import Foundation
import MoatCore
import MoatHTTP
import MoatLauncher
import Testing

/// The start-up fetch of the issuer's keys, against a loopback provider with wrong settings.
@Suite("signing key check at start-up")
struct SigningKeyCheckTests {
    static let tenant = "1921488a-9834-4920-864a-44dfc001e2df"

    /// Runs `body` against a loopback server whose discovery document names `https://other.example/<tenant>/v2.0`.
    static func withProvider(_ body: (_ baseURL: String) async throws -> Void) async throws {
        var router = Router()
        router.get("/\(tenant)/v2.0/.well-known/openid-configuration") { _ in
            let document = #"{"issuer":"https://other.example/\#(tenant)/v2.0","authorization_endpoint":"https://other.example/a","#
                + #""token_endpoint":"https://other.example/t","jwks_uri":"https://other.example/k"}"#
            return .json(data: Data(document.utf8))
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(shutdownGracePeriod: 1), responder: router, logger: .disabled)
        try server.start()
        do {
            try await body("http://127.0.0.1:\(server.port)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func checkError(issuer: String, jwksURI: String? = nil, logger: Logger = .disabled) async -> LaunchError? {
        do {
            try await SigningKeyCheck.run(issuer: issuer, jwksURI: jwksURI, settingsSection: "api", logger: logger)
            return nil
        } catch {
            return error as? LaunchError ?? LaunchError("unexpected error \(error)")
        }
    }

    @Test("discovery naming another issuer stops start-up")
    func otherIssuerStops() async throws {
        try await Self.withProvider { baseURL in
            let error = await Self.checkError(issuer: "\(baseURL)/\(Self.tenant)/v2.0")

            let reason = error?.reason ?? "none"
            #expect(reason.contains("discovery document names issuer https://other.example"), "reason: \(reason)")
            #expect(reason.contains("check api.issuer"), "reason: \(reason)")
        }
    }

    @Test("issuer with trailing slash stops start-up")
    func trailingSlashStops() async throws {
        try await Self.withProvider { baseURL in
            let error = await Self.checkError(issuer: "\(baseURL)/\(Self.tenant)/v2.0/")

            // Discovery trims the slash to find the document, whose issuer then differs from the setting.
            let reason = error?.reason ?? "none"
            #expect(reason.contains("but \(baseURL)/\(Self.tenant)/v2.0/ is configured"), "reason: \(reason)")
            #expect(reason.contains("check api.issuer"), "reason: \(reason)")
        }
    }

    @Test("mistyped jwks_uri stops start-up")
    func mistypedKeySetURIStops() async throws {
        try await Self.withProvider { baseURL in
            let error = await Self.checkError(issuer: "\(baseURL)/\(Self.tenant)/v2.0", jwksURI: "\(baseURL)/discovery/v2.0/kyes")

            let reason = error?.reason ?? "none"
            #expect(reason.contains("jwks_fetch_failed"), "reason: \(reason)")
            #expect(reason.contains("HTTP 404"), "reason: \(reason)")
            #expect(reason.contains("api.jwks_uri"), "reason: \(reason)")
        }
    }

    @Test("unreachable provider only warns")
    func unreachableProviderWarns() async {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", level: .info, handler: handler)

        let error = await Self.checkError(issuer: "http://127.0.0.1:1/\(Self.tenant)/v2.0", logger: logger)

        #expect(error == nil, "reason: \(error?.reason ?? "none")")
        let warning = handler.entries.first { $0.level == .warning }
        #expect(warning?.metadata["moat.jwks.issuer"] == "http://127.0.0.1:1/\(Self.tenant)/v2.0")
    }
}
