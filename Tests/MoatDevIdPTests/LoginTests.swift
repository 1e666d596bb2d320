import Foundation
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import Testing

/// The login form: anti-forgery token in a hidden field and a cookie, password
/// check, attempt limit and the redirect back with the code.
@Suite("Login form")
struct LoginTests {
    let harness: IdentityProviderHarness
    let spa: Directory.App
    let pkce = PKCE()

    init() throws {
        harness = try IdentityProviderHarness()
        spa = try harness.app("test-spa")
    }

    private func openLogin() async throws -> IdentityProviderHarness.LoginForm {
        try await harness.openLogin(harness.authorizeParameters(client: spa, pkce: pkce))
    }

    @Test("correct password redirects with code, state and iss")
    func correctPasswordRedirects() async throws {
        let form = try await openLogin()

        let response = await harness.submitLogin(form, username: "alice")

        #expect(response.status == 303)
        #expect(response.headers["Location"]?.hasPrefix(TestDirectory.publicRedirectURI + "?") == true)
        #expect(response.locationQuery["code"]?.isEmpty == false)
        #expect(response.locationQuery["state"] == "af0ifjsldkj")
        #expect(response.locationQuery["iss"] == harness.issuer)
    }

    @Test("login cookie attributes are strict")
    func loginCookieAttributes() async throws {
        let page = await harness.get(harness.authorizePath, query: harness.authorizeParameters(client: spa, pkce: pkce))
        let cookie = try #require(page.headers.values(for: "Set-Cookie").first { $0.hasPrefix("moat_idp_login=") })

        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(cookie.contains("Path=\(harness.authorizePath)"))
        #expect(cookie.contains("Secure"))
    }

    @Test("login page cannot be framed")
    func loginPageCannotBeFramed() async {
        let page = await harness.get(harness.authorizePath, query: harness.authorizeParameters(client: spa, pkce: pkce))

        #expect(page.headers["X-Frame-Options"] == "DENY")
        #expect(page.headers["Content-Security-Policy"]?.contains("frame-ancestors 'none'") == true)
    }

    @Test("form without the login cookie is forbidden")
    func formWithoutCookieIsForbidden() async throws {
        let form = try await openLogin()

        let response = await harness.submitLogin(form, username: "alice", cookie: .absent)

        #expect(response.status == 403)
        #expect(response.headers["Location"] == nil)
    }

    @Test("form with another login's cookie is forbidden")
    func formWithOtherCookieIsForbidden() async throws {
        let victim = try await openLogin()
        let attacker = try await openLogin()

        let response = await harness.submitLogin(victim, username: "alice", cookie: .value(attacker.cookie))

        #expect(response.status == 403)
        #expect(response.headers["Location"] == nil)
    }

    @Test("form with another anti-forgery token is forbidden")
    func formWithOtherTokenIsForbidden() async throws {
        let form = try await openLogin()
        let other = try await openLogin()

        let response = await harness.submitLogin(form, username: "alice", csrfToken: other.csrfToken)

        #expect(response.status == 403)
        #expect(response.headers["Location"] == nil)
    }

    @Test("form with an empty anti-forgery token and cookie is forbidden")
    func formWithEmptyTokensIsForbidden() async throws {
        let form = try await openLogin()

        let response = await harness.submitLogin(form, username: "alice", csrfToken: "", cookie: .value(""))

        #expect(response.status == 403)
    }

    @Test("wrong password gives 401 and the form again")
    func wrongPasswordShowsFormAgain() async throws {
        let form = try await openLogin()

        let response = await harness.submitLogin(form, username: "alice", password: "wrong")

        #expect(response.status == 401)
        #expect(response.headers["Location"] == nil)
        #expect(response.hiddenField("transaction") == form.transactionID)
        #expect(response.text.contains("The user name or password is incorrect."))
    }

    @Test("unknown user gives 401 like a wrong password")
    func unknownUserGives401() async throws {
        let form = try await openLogin()

        let response = await harness.submitLogin(form, username: "mallory")

        #expect(response.status == 401)
        #expect(response.text.contains("The user name or password is incorrect."))
    }

    @Test("preferred_username signs in like the short name")
    func preferredUsernameSignsIn() async throws {
        let form = try await openLogin()

        let response = await harness.submitLogin(form, username: "Alice@Fabrikam.example")

        #expect(response.status == 303)
        #expect(response.locationQuery["code"] != nil)
    }

    @Test("four failures still allow sign-in")
    func fourFailuresAllowSignIn() async throws {
        let form = try await openLogin()
        for _ in 0..<4 {
            _ = await harness.submitLogin(form, username: "alice", password: "wrong")
        }

        let response = await harness.submitLogin(form, username: "alice")

        #expect(response.status == 303)
        #expect(response.locationQuery["code"] != nil)
    }

    @Test("five failures end the transaction")
    func fiveFailuresEndTransaction() async throws {
        let form = try await openLogin()
        for attempt in 1...5 {
            let failed = await harness.submitLogin(form, username: "alice", password: "wrong")
            #expect(failed.status == 401, "attempt \(attempt)")
        }

        let response = await harness.submitLogin(form, username: "alice")

        #expect(response.status == 400)
        #expect(response.headers["Location"] == nil)
    }

    @Test("completed transaction cannot be submitted again")
    func completedTransactionIsSingleUse() async throws {
        let form = try await openLogin()
        _ = await harness.submitLogin(form, username: "alice")

        let replay = await harness.submitLogin(form, username: "alice")

        #expect(replay.status == 400)
        #expect(replay.headers["Location"] == nil)
    }

    @Test("transaction expires after ten minutes")
    func transactionExpires() async throws {
        let form = try await openLogin()
        harness.clock.advance(by: 601)

        let response = await harness.submitLogin(form, username: "alice")

        #expect(response.status == 400)
        #expect(response.headers["Location"] == nil)
    }
}
