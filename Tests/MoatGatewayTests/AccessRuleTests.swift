import Foundation
import MoatHTTP
import Testing

@testable import MoatGateway

private func okUpstream() throws -> TestUpstream {
    try TestUpstream { connection in
        while (try? connection.readHead()) != nil {
            try? connection.respond("upstream content")
        }
    }
}

private func get(_ harness: GatewayHarness, _ target: String, _ headers: [(String, String)] = []) async throws -> HTTPClientResponse {
    let socketTarget = harness.gatewayURL + target
    // A generous timeout: under a full parallel test run the machine can be slow, and a real hang still fails.
    return try await HTTPClient().send(HTTPClientRequest(url: try require(URL(string: socketTarget)), headers: HTTPHeaders(headers), timeout: 60))
}

@Suite("Access rules")
struct AccessRuleTests {
    @Test("browser without session is redirected to sign-in")
    func browserIsRedirected() async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let response = try await get(harness, "/reports?year=2026", [("Accept", "text/html,application/xhtml+xml")])
            #expect(response.status == 302)
            #expect(response.headers["Location"] == "/.auth/login/aad?post_login_redirect_uri=%2Freports%3Fyear%3D2026")
        }
    }

    @Test("API client without credentials gets 401", arguments: [
        [("Accept", "application/json")],
        [("Accept", "text/html"), ("X-Requested-With", "XMLHttpRequest")],
    ])
    func apiClientGetsUnauthorized(headers: [(String, String)]) async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let response = try await get(harness, "/reports", headers)
            #expect(response.status == 401)
            #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
        }
    }

    @Test("API path prefix gets 401 even for browsers")
    func apiPrefixGetsUnauthorized() async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let response = try await get(harness, "/api/data", [("Accept", "text/html")])
            #expect(response.status == 401)
        }
    }

    @Test("excluded path needs no sign-in")
    func excludedPathPasses() async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let response = try await get(harness, "/healthz?probe=1")
            #expect(response.status == 200)
        }
    }

    @Test("lookalike of an excluded path is protected", arguments: [
        "/private?x=/healthz", "/private#/healthz", "/healthz/../private", "//healthz", "/healthz;x", "/HEALTHZ", "/healthz/", "/%2e%2e/healthz",
    ])
    func excludedLookalikeIsProtected(target: String) async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let response = try await get(harness, target, [("Accept", "application/json"), ("User-Agent", "kube-probe/1.29")])
            #expect([400, 401].contains(response.status), "\(target) returned \(response.status)")
        }
    }

    @Test("invalid token is rejected even on an excluded path")
    func invalidTokenOnExcludedPath() async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let response = try await get(harness, "/healthz", [("Authorization", "Bearer not.a.token")])
            #expect(response.status == 401)
            #expect(response.headers["WWW-Authenticate"]?.contains("invalid_token") == true)
        }
    }

    @Test("malformed Bearer field gets 400")
    func malformedBearerIsBadRequest() async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let response = try await get(harness, "/private", [("Authorization", "Bearer abc def")])
            #expect(response.status == 400)
            #expect(response.headers["WWW-Authenticate"]?.contains("error=\"invalid_request\"") == true)
        }
    }

    @Test("token of disallowed app gets 403")
    func disallowedAppIsRejected() async throws {
        try await withGateway(upstream: try okUpstream()) { harness in
            let token = try await harness.agentToken(clientID: GatewayHarness.otherAgentClientID)
            let response = try await get(harness, "/private", [("Authorization", "Bearer \(token)")])
            #expect(response.status == 403)
            #expect(response.headers["WWW-Authenticate"] == nil)
            let body = String(decoding: response.body, as: UTF8.self)
            #expect(body.contains("client_not_allowed"))
            #expect(body.contains("gateway.allowed_client_apps"))
        }
    }

    @Test("caller without the path's role gets 403")
    func missingRoleIsForbidden() async throws {
        try await withGateway(upstream: try okUpstream(), configure: {
            $0.accessPolicy.rules = [.init(pathPrefix: "/admin", roles: ["Admin"]), .init(pathPrefix: "/audit", roles: ["Audit.Read.All"])]
        }) { harness in
            let token = try await harness.agentToken()
            let admin = try await get(harness, "/admin/users", [("Authorization", "Bearer \(token)")])
            #expect(admin.status == 403)
            #expect(String(decoding: admin.body, as: UTF8.self).contains("missing_role"))
            let audit = try await get(harness, "/audit/records", [("Authorization", "Bearer \(token)")])
            #expect(audit.status == 200)
            let sibling = try await get(harness, "/administrator", [("Authorization", "Bearer \(token)")])
            #expect(sibling.status == 200)
        }
    }

    @Test("dot segments cannot escape a path rule")
    func dotSegmentsMatchRules() async throws {
        try await withGateway(upstream: try okUpstream(), configure: {
            $0.accessPolicy.rules = [.init(pathPrefix: "/admin", roles: ["Admin"])]
        }) { harness in
            let token = try await harness.agentToken()
            // Dot segments are refused outright, so they can neither escape a rule nor reach the upstream.
            let response = try await get(harness, "/public/%2e%2e/admin/users", [("Authorization", "Bearer \(token)")])
            #expect(response.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self).contains("invalid_path"))
        }
    }

    @Test("principal outside the allowed list gets 403")
    func principalListIsEnforced() async throws {
        try await withGateway(upstream: try okUpstream(), configure: { $0.accessPolicy.allowedPrincipals = ["00000000-0000-0000-0000-000000000001"] }) { harness in
            let token = try await harness.agentToken()
            let response = try await get(harness, "/private", [("Authorization", "Bearer \(token)")])
            #expect(response.status == 403)
        }
    }
}
