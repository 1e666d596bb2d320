import Foundation
import MoatCrypto
import MoatHTTP
import MoatJOSE
import MoatJSON
import Testing

@testable import MoatGateway

/// An upstream that answers 200 to every request, so tests can read the heads it received.
private func recordingUpstream() throws -> TestUpstream {
    try TestUpstream { connection in
        while (try? connection.readHead()) != nil {
            try? connection.respond("ok")
        }
    }
}

@Suite("Spoofing")
struct SpoofingTests {
    static let forgedFields: [(String, String)] = [
        ("X-MS-CLIENT-PRINCIPAL", Data(#"{"claims":[{"typ":"roles","val":"Admin"}]}"#.utf8).base64EncodedString()),
        ("x-ms-client-principal-id", "forged-oid"),
        ("X_MS_CLIENT_PRINCIPAL_NAME", "forged@evil.example"),
        ("X-Ms-Client-Principal-Idp", "forged-idp"),
        ("X-MS-TOKEN-AAD-ACCESS-TOKEN", "forged.access.token"),
        ("x_ms_token_aad_id_token", "forged.id.token"),
        ("X-Moat-Gateway-Assertion", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJmb3JnZWQifQ."),
        ("x_moat_gateway_assertion", "forged-underscore-assertion"),
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Forwarded-Host", "evil.example"),
        ("X_Forwarded_Proto", "https"),
        ("X-Forwarded-Uri", "/healthz"),
        ("Forwarded", "for=203.0.113.9;host=evil.example"),
        ("X-Real-IP", "203.0.113.9"),
    ]

    static let forgedValues = forgedFields.map(\.1)

    private func send(_ harness: GatewayHarness, path: String, extra: [(String, String)]) async throws -> HTTPClientResponse {
        try await HTTPClient().send(HTTPClientRequest(
            url: try require(URL(string: harness.gatewayURL + path)), headers: HTTPHeaders(Self.forgedFields + extra)
        ))
    }

    @Test("upstream gets the gateway's request id", arguments: [nil, "client-chosen-id", "a b\" forged", String(repeating: "x", count: 3000)])
    func requestIDForwarded(offered: String?) async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            var fields = [("Authorization", "Bearer \(token)")]
            if let offered { fields.append(("X-Request-Id", offered)) }
            let response = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: harness.gatewayURL + "/private")), headers: HTTPHeaders(fields)))
            #expect(response.status == 200)
            let answered = try require(response.headers["X-Request-Id"])
            let head = try require(upstream.receivedHeads.last)
            #expect(head.values("X-Request-Id") == [answered])
            if let offered, RequestID.isAcceptable(offered) {
                #expect(answered == offered)
            } else {
                #expect(answered != offered)
            }
        }
    }

    @Test("forged identity fields never reach the upstream")
    func forgedIdentityFieldsAreStripped() async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            let response = try await send(harness, path: "/private", extra: [("Authorization", "Bearer \(token)")])
            #expect(response.status == 200)
            let head = try require(upstream.receivedHeads.last)
            for field in head.fields {
                #expect(!Self.forgedValues.contains(field.value), "forged value of \(field.name) reached the upstream")
                #expect(!field.name.contains("_"), "underscore field \(field.name) reached the upstream")
            }
            let agent = try require(harness.directory.app(named: "test-agent"))
            #expect(head.values("X-MS-CLIENT-PRINCIPAL-ID") == [agent.objectID])
            #expect(head.values("X-Forwarded-For") == ["127.0.0.1"])
            #expect(head.values("Authorization").isEmpty)
            #expect(head.values("X-MS-TOKEN-AAD-ACCESS-TOKEN").isEmpty)
        }
    }

    @Test("assertion verifies with the gateway's keys")
    func assertionVerifiesWithKeys() async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            _ = try await send(harness, path: "/private?x=1", extra: [("Authorization", "Bearer \(token)")])
            let head = try require(upstream.receivedHeads.last)
            let assertions = head.values(GatewayAssertionSigner.headerName)
            #expect(assertions.count == 1)
            let keys = try await HTTPClient().send(HTTPClientRequest(url: try require(URL(string: harness.gatewayURL + "/.auth/keys"))))
            #expect(keys.status == 200)
            let keySet = try JSONWebKeySet(data: keys.body)
            let policy = JWTValidationPolicy(
                issuer: harness.gatewayURL, audiences: [upstream.url], allowedAlgorithms: [.es256], leeway: 5, maxTokenAge: 120, requiredClaims: ["iat"]
            )
            let verified = try JWTVerifier(keySet: keySet, policy: policy).verify(try require(assertions.first), now: Date())
            let agent = try require(harness.directory.app(named: "test-agent"))
            #expect(verified.string("oid") == agent.objectID)
            #expect(verified.string("htm") == "GET")
            #expect(verified.string("htu") == "/private?x=1")
        }
    }

    @Test("excluded path forwards no identity fields")
    func excludedPathCarriesNoIdentity() async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream) { harness in
            let response = try await send(harness, path: "/healthz", extra: [])
            #expect(response.status == 200)
            let head = try require(upstream.receivedHeads.last)
            #expect(head.fields.allSatisfy { !ForwardingHeaders.isIdentityField($0.name) })
            #expect(head.fields.allSatisfy { !Self.forgedValues.contains($0.value) })
        }
    }

    @Test("trusted proxy keeps its forwarding fields")
    func trustedProxyForwardingIsKept() async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream, configure: { $0.trustedProxies = ["127.0.0.1"] }) { harness in
            let token = try await harness.agentToken()
            _ = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: harness.gatewayURL + "/private")),
                headers: HTTPHeaders([("Authorization", "Bearer \(token)"), ("X-Forwarded-For", "198.51.100.7"), ("X-Forwarded-Proto", "https")])
            ))
            let head = try require(upstream.receivedHeads.last)
            #expect(head.values("X-Forwarded-For") == ["198.51.100.7, 127.0.0.1"])
            #expect(head.values("X-Forwarded-Proto") == ["https"])
        }
    }

    @Test("hop-by-hop fields are not forwarded")
    func hopByHopFieldsAreRemoved() async throws {
        let upstream = try recordingUpstream()
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            _ = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: harness.gatewayURL + "/private")),
                headers: HTTPHeaders([
                    ("Authorization", "Bearer \(token)"), ("Connection", "X-Secret-Hop"), ("X-Secret-Hop", "1"), ("Proxy-Authorization", "Basic eA=="),
                    ("TE", "trailers"), ("X-Kept", "yes"),
                ])
            ))
            let head = try require(upstream.receivedHeads.last)
            #expect(head.values("X-Secret-Hop").isEmpty)
            #expect(head.values("Proxy-Authorization").isEmpty)
            #expect(head.values("TE").isEmpty)
            #expect(head.values("X-Kept") == ["yes"])
        }
    }
}

@Suite("Forwarding header names")
struct ForwardingHeaderNameTests {
    @Test("canonical name lowers case and maps underscores", arguments: [
        ("X_MS_Client_Principal", "x-ms-client-principal"), ("content-type", "content-type"), ("Host", "host"),
        ("X-Moat-Gateway-Assertion-With-A-Long-Name", "x-moat-gateway-assertion-with-a-long-name"), ("", ""),
    ])
    func canonicalName(name: String, expected: String) {
        #expect(ForwardingHeaders.canonicalName(name) == expected)
    }

    @Test("hop-by-hop fields and Connection tokens are removed")
    func hopByHopRemoved() {
        var headers = HTTPHeaders([
            ("Connection", "keep-alive, X-Secret ,\tX_Other"), ("Keep-Alive", "timeout=5"), ("X-Secret", "1"),
            ("x-other", "2"), ("Accept", "*/*"), ("TE", "trailers"), ("Date", "today"),
        ])
        ForwardingHeaders.removeHopByHop(&headers)
        #expect(headers.map(\.name) == ["Accept", "Date"])
    }
}
