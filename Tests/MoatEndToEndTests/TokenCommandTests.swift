import Foundation
import MoatConfig
import MoatIdentity
import MoatLauncher
import Testing

/// `moat token` against a running stack, with matching and with mismatched web settings.
@Suite("moat token")
struct TokenCommandTests {
    /// Builds the configuration that `moat token` would load to reach `stack`, with the web tier at `webPort`.
    static func tokenConfiguration(_ stack: TestStack, webPort: Int) throws -> MoatConfiguration {
        let idp = try #require(URLComponents(string: stack.stack.idpURL))
        var configuration = MoatConfiguration()
        configuration.host = try #require(idp.host)
        configuration.idp.port = try #require(idp.port)
        configuration.web.port = webPort
        return configuration
    }

    static func port(of url: String) throws -> Int {
        try #require(URLComponents(string: url)?.port)
    }

    /// Runs `moat token --user alice` and returns its token or its error.
    static func aliceToken(_ configuration: MoatConfiguration) async -> Result<TokenResponse, any Error> {
        do {
            return .success(try await TokenCommand.run(.user(name: "alice", password: "moat-demo"), configuration: configuration))
        } catch {
            return .failure(error)
        }
    }

    static func launchError(_ result: Result<TokenResponse, any Error>) throws -> LaunchError {
        guard case .failure(let error) = result else { throw LaunchError("moat token succeeded; expected an error") }
        return try #require(error as? LaunchError, "moat token threw \(error), expected a LaunchError")
    }

    @Test("token for user with matching web port")
    func userTokenIssued() async throws {
        let stack = try await TestStack.start()
        let configuration = try Self.tokenConfiguration(stack, webPort: try Self.port(of: stack.stack.webURL))
        let result = await Self.aliceToken(configuration)
        await stack.stop()

        let tokens = try result.get()
        #expect(!tokens.accessToken.isEmpty)
    }

    @Test("other web port names redirect_uri_mismatch")
    func redirectMismatchExplained() async throws {
        let stack = try await TestStack.start()
        let webPort = try Self.port(of: stack.stack.webURL)
        let otherPort = webPort == 65_000 ? 65_001 : 65_000
        let configuration = try Self.tokenConfiguration(stack, webPort: otherPort)
        let result = await Self.aliceToken(configuration)
        await stack.stop()

        let error = try Self.launchError(result)

        #expect(error.reason.contains("redirect_uri_mismatch"))
        #expect(error.reason.contains("http://\(configuration.host):\(otherPort)/auth/callback"), "the error names the redirect URI sent")
        #expect(error.reason.contains("--config"), "the error names the fix")
        #expect(!error.reason.contains("is `moat up` running"))
    }

    @Test("stopped provider gets connection error")
    func stoppedProviderExplained() async throws {
        let stack = try await TestStack.start()
        let configuration = try Self.tokenConfiguration(stack, webPort: try Self.port(of: stack.stack.webURL))
        await stack.stop()

        let error = try Self.launchError(await Self.aliceToken(configuration))
        let appResult: Result<TokenResponse, any Error>
        do {
            appResult = .success(try await TokenCommand.run(.app(name: "moat-auditor"), configuration: configuration))
        } catch {
            appResult = .failure(error)
        }
        let appError = try Self.launchError(appResult)

        #expect(error.reason.contains("cannot connect to the identity provider"))
        #expect(error.reason.contains("MOAT_IDP_PORT"))
        // An app token takes another path to the token endpoint, with the same explanation.
        #expect(appError.reason.contains("cannot connect to the identity provider"))
        #expect(appError.reason.contains("MOAT_IDP_PORT"))
    }
}
