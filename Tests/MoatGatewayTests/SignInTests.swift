import Foundation
import MoatHTTP
import Testing

@testable import MoatGateway

private func recordingUpstream() throws -> TestUpstream {
    try TestUpstream { connection in
        while (try? connection.readHead()) != nil {
            try? connection.respond(contentType: "text/html", "<p>app</p>")
        }
    }
}

@Suite("Sign-in")
struct SignInTests {
    @Test("signed-in user reaches the upstream with identity fields")
    func signInForwardsIdentity() async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream) { harness in
            let browser = Browser()
            let location = try await browser.signIn(harness, target: "/reports?year=2026", user: "alice")
            #expect(location == "/reports?year=2026")
            let page = try await browser.get(harness.gatewayURL + location)
            #expect(page.status == 200)
            let head = try require(upstream.receivedHeads.last)
            #expect(head.value("X-MS-CLIENT-PRINCIPAL-NAME") == "alice@fabrikam.example")
            #expect(head.value("X-MS-CLIENT-PRINCIPAL-IDP") == "aad")
            let principal = try require(Data(base64Encoded: try require(head.value("X-MS-CLIENT-PRINCIPAL"))))
            let json = try require(JSONSerialization.jsonObject(with: principal) as? [String: Any])
            let claims = try require(json["claims"] as? [[String: String]])
            #expect(claims.contains { $0["typ"] == "roles" && $0["val"] == "Reader" })
            #expect(head.values("Cookie").allSatisfy { !$0.contains("moat_gw") })
        }
    }

    @Test("session with tokens is split across cookies")
    func sessionSpansSeveralCookies() async throws {
        try await withGateway(upstream: try recordingUpstream(), configure: { $0.forwardTokens = true }) { harness in
            let browser = Browser()
            _ = try await browser.signIn(harness, target: "/", user: "erin")
            #expect(browser.cookies["moat_gw_session"]?.hasPrefix("2.") == true)
            #expect(browser.cookies["moat_gw_session_1"] != nil)
            #expect(browser.cookies.values.allSatisfy { $0.utf8.count < 4000 })
        }
    }

    @Test("tokens reach the upstream only when forwarded", arguments: [true, false])
    func tokensAreForwardedOnRequest(forward: Bool) async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream, configure: { $0.forwardTokens = forward }) { harness in
            let browser = Browser()
            let location = try await browser.signIn(harness, target: "/", user: "alice")
            _ = try await browser.get(harness.gatewayURL + location)
            let head = try require(upstream.receivedHeads.last)
            #expect((head.value("X-MS-TOKEN-AAD-ACCESS-TOKEN") != nil) == forward)
            #expect((head.value("X-MS-TOKEN-AAD-ID-TOKEN") != nil) == forward)
        }
    }

    @Test("/.auth/me lists the user's claims")
    func meListsClaims() async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let browser = Browser()
            _ = try await browser.signIn(harness, target: "/", user: "alice")
            let me = try await browser.get(harness.gatewayURL + "/.auth/me", headers: [("Accept", "application/json")])
            #expect(me.status == 200)
            let entries = try require(JSONSerialization.jsonObject(with: me.body) as? [[String: Any]])
            let entry = try require(entries.first)
            #expect(entry["provider_name"] as? String == "aad")
            #expect(entry["user_id"] as? String == "alice@fabrikam.example")
            #expect(entry["access_token"] == nil)
            let claims = try require(entry["user_claims"] as? [[String: String]])
            #expect(claims.contains { $0["typ"] == "name" && $0["val"] == "Alice Martin" })
        }
    }

    @Test("refresh stores new tokens")
    func refreshRenewsTokens() async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let browser = Browser()
            _ = try await browser.signIn(harness, target: "/", user: "alice")
            let before = browser.cookies["moat_gw_session"]
            let refreshed = try await browser.get(harness.gatewayURL + "/.auth/refresh", headers: [("Accept", "application/json")])
            #expect(refreshed.status == 200)
            #expect(browser.cookies["moat_gw_session"] != before)
            let page = try await browser.get(harness.gatewayURL + "/")
            #expect(page.status == 200)
        }
    }

    @Test("two tabs refreshing at once stay signed in")
    func concurrentRefreshesShareOne() async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let firstTab = Browser()
            _ = try await firstTab.signIn(harness, target: "/", user: "alice")
            let before = firstTab.cookies["moat_gw_session"]
            let secondTab = Browser()
            secondTab.cookies = firstTab.cookies
            let lateTab = Browser()
            lateTab.cookies = firstTab.cookies

            // The identity provider revokes a refresh token family when a used token comes back,
            // so every tab with the old cookie must get the result of one refresh.
            async let first = firstTab.get(harness.gatewayURL + "/.auth/refresh", headers: [("Accept", "application/json")])
            async let second = secondTab.get(harness.gatewayURL + "/.auth/refresh", headers: [("Accept", "application/json")])
            let (firstReply, secondReply) = try await (first, second)
            #expect(firstReply.status == 200)
            #expect(secondReply.status == 200)
            #expect(firstTab.cookies["moat_gw_session"] != before)
            #expect(secondTab.cookies["moat_gw_session"] == firstTab.cookies["moat_gw_session"])

            let late = try await lateTab.get(harness.gatewayURL + "/.auth/refresh", headers: [("Accept", "application/json")])
            #expect(late.status == 200)
            #expect(lateTab.cookies["moat_gw_session"] == firstTab.cookies["moat_gw_session"])

            // The family is intact: the new cookie refreshes again.
            let next = try await firstTab.get(harness.gatewayURL + "/.auth/refresh", headers: [("Accept", "application/json")])
            #expect(next.status == 200)
            let page = try await firstTab.get(harness.gatewayURL + "/")
            #expect(page.status == 200)
        }
    }

    @Test("logout clears the session and ends it at the provider")
    func logoutEndsSession() async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let browser = Browser()
            _ = try await browser.signIn(harness, target: "/", user: "alice")
            let savedCookies = browser.cookies
            let logout = try await browser.get(harness.gatewayURL + "/.auth/logout", headers: [("Sec-Fetch-Site", "same-origin")])
            #expect(logout.status == 302)
            #expect(logout.headers["Location"]?.hasPrefix(harness.issuer.replacingOccurrences(of: "/v2.0", with: "")) == true)
            #expect(browser.cookies["moat_gw_session"] == nil)
            // Replaying the signed-out cookie does not bring the session back.
            browser.cookies = savedCookies
            let replay = try await browser.get(harness.gatewayURL + "/", headers: [("Accept", "application/json")])
            #expect(replay.status == 401)
        }
    }

    @Test("cross-site logout GET asks for confirmation")
    func crossSiteLogoutNeedsConfirmation() async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let browser = Browser()
            _ = try await browser.signIn(harness, target: "/", user: "alice")
            let logout = try await browser.get(harness.gatewayURL + "/.auth/logout", headers: [("Sec-Fetch-Site", "cross-site")])
            #expect(logout.status == 200)
            #expect(browser.cookies["moat_gw_session"] != nil)
        }
    }

    @Test("session cookie planted before sign-in is cleared")
    func signInClearsPlantedSession() async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let browser = Browser()
            browser.cookies["moat_gw_session"] = "1.planted-by-attacker"
            let login = try await browser.get(harness.gatewayURL + "/.auth/login/aad?post_login_redirect_uri=/")
            #expect(login.status == 302)
            #expect(browser.cookies["moat_gw_session"] == nil)
        }
    }

    @Test("foreign return URL falls back to the root", arguments: ["%2F%2Fevil.example%2F", "https%3A%2F%2Fevil.example%2F", "%2F%252F%252Fevil.example"])
    func foreignReturnURLIsReplaced(encoded: String) async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let location = try await Browser().signIn(harness, login: "/.auth/login/aad?post_login_redirect_uri=" + encoded, user: "alice")
            #expect(location == "/")
        }
    }

    @Test("allowed absolute return URL is kept")
    func allowedReturnURLIsKept() async throws {
        try await withGateway(upstream: try recordingUpstream(), configure: { $0.allowedReturnHosts = ["app.example.com"] }) { harness in
            let location = try await Browser().signIn(
                harness, login: "/.auth/login/aad?post_login_redirect_uri=https%3A%2F%2Fapp.example.com%2Fhome", user: "alice"
            )
            #expect(location == "https://app.example.com/home")
        }
    }

    @Test("tampered session cookie is ignored")
    func tamperedCookieIsIgnored() async throws {
        try await withGateway(upstream: try recordingUpstream()) { harness in
            let browser = Browser()
            _ = try await browser.signIn(harness, target: "/", user: "alice")
            var value = try require(browser.cookies["moat_gw_session"])
            let last = value.removeLast()
            value.append(last == "A" ? "B" : "A")
            browser.cookies["moat_gw_session"] = value
            let page = try await browser.get(harness.gatewayURL + "/", headers: [("Accept", "application/json")])
            #expect(page.status == 401)
        }
    }
}
