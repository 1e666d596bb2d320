import Foundation
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJSON
import Testing

/// The refresh_token grant: every use rotates the token, and presenting a
/// rotated token again revokes the whole family (RFC 9700 §4.14.2).
@Suite("Refresh token grant")
struct RefreshTokenGrantTests {
    let harness: IdentityProviderHarness
    let web: Directory.App

    init() throws {
        harness = try IdentityProviderHarness()
        web = try harness.app("moat-web")
    }

    private func firstRefreshToken() async throws -> String {
        let tokens = try await harness.signInTokens(client: web, user: "alice")
        return try #require(tokens["refresh_token"]?.stringValue)
    }

    /// Refreshes `token`; returns the new refresh token, or nil when the grant failed.
    private func rotate(_ token: String) async throws -> String? {
        let response = await harness.refresh(token, client: web)
        guard response.status == 200 else { return nil }
        return try response.jsonObject()["refresh_token"]?.stringValue
    }

    @Test("refresh returns a new refresh token and access token")
    func refreshRotates() async throws {
        let first = try await firstRefreshToken()

        let response = await harness.refresh(first, client: web)
        let body = try response.jsonObject()

        #expect(response.status == 200)
        #expect(body["access_token"]?.stringValue != nil)
        let second = try #require(body["refresh_token"]?.stringValue)
        #expect(second != first)
    }

    @Test("rotated refresh token works once")
    func rotatedTokenWorksOnce() async throws {
        let first = try await firstRefreshToken()
        let second = try #require(try await rotate(first))

        let third = try await rotate(second)
        let secondAgain = await harness.refresh(second, client: web)

        #expect(third != nil)
        #expect(secondAgain.status == 400)
        #expect(secondAgain.oauthError == "invalid_grant")
    }

    @Test("reused refresh token revokes the family")
    func reuseRevokesFamily() async throws {
        let first = try await firstRefreshToken()
        let second = try #require(try await rotate(first))

        let reuse = await harness.refresh(first, client: web)
        let newest = await harness.refresh(second, client: web)

        #expect(reuse.status == 400)
        #expect(reuse.oauthError == "invalid_grant")
        #expect(newest.status == 400)
        #expect(newest.oauthError == "invalid_grant")
    }

    @Test("revocation leaves other sign-ins working")
    func revocationIsPerFamily() async throws {
        let victim = try await firstRefreshToken()
        let other = try await firstRefreshToken()
        _ = try await rotate(victim)
        _ = await harness.refresh(victim, client: web)

        let otherRefresh = try await rotate(other)

        #expect(otherRefresh != nil)
    }

    @Test("refresh token of another client is rejected")
    func otherClientIsRejected() async throws {
        let token = try await firstRefreshToken()
        let auditor = try harness.app("moat-auditor")

        let response = await harness.refresh(token, client: auditor)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }

    @Test("refresh token expires after 24 hours")
    func refreshTokenExpires() async throws {
        let token = try await firstRefreshToken()
        harness.clock.advance(by: 86_401)

        let response = await harness.refresh(token, client: web)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }

    @Test("no refresh token without offline_access")
    func noRefreshTokenWithoutOfflineAccess() async throws {
        let tokens = try await harness.signInTokens(client: web, user: "alice", scope: "openid profile api://moat-api/Chat")

        #expect(tokens["refresh_token"] == nil)
        #expect(tokens["access_token"]?.stringValue != nil)
    }
}
