import Foundation
import MoatLauncher
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatJOSE
import MoatJSON
import MoatWeb
import Testing

/// Serves a replaceable key set at `/.auth/keys`, as the gateway does, and counts the fetches.
private final class KeysEndpoint: HTTPResponder {
    let keySet: LockedValue<JSONWebKeySet>
    let fetches = LockedValue(0)

    init(_ keySet: JSONWebKeySet) {
        self.keySet = LockedValue(keySet)
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        guard request.path == "/.auth/keys" else { return ProblemDetails.notFound().response(requestID: request.requestID) }
        fetches.withLock { $0 += 1 }
        return .json(data: keySet.current.serialized())
    }
}

/// A chat backend that is never reached by these tests' requests.
private struct UnusedBackend: GatewayChatBackend {
    func chat(_ body: Data, format: ChatResponseFormat, user: GatewayUser, requestID: String) async -> HTTPResponse {
        ProblemDetails.internalError().response(requestID: requestID)
    }
}

private let gatewayURL = "https://chat.example.com"
private let webOrigin = "http://127.0.0.1:8080"

private func signer(_ keyID: String) throws -> JWTSigner {
    try JWTSigner(privateKey: try PrivateKey.generateEC(curve: .p256), algorithm: .es256, keyID: keyID)
}

/// Signs an assertion for `GET /api/me` as the gateway does.
private func assertion(_ signer: JWTSigner, clock: ManualClock) throws -> String {
    let now = Int64(clock.now().timeIntervalSince1970)
    return try signer.sign(claims: [
        "iss": .string(gatewayURL), "aud": .string(webOrigin), "iat": .integer(now), "exp": .integer(now + 60),
        "oid": "00000000-0000-4000-8000-00000000a11c", "tid": "00000000-0000-4000-8000-0000000000e1",
        "htm": "GET", "htu": "/api/me", "sid": "session-hash",
    ], type: "moat-gateway+jwt")
}

private func me(_ web: GatewayFrontedWebApp, _ assertion: String) async -> Int {
    let request = HTTPRequest(method: "GET", target: "/api/me", headers: HTTPHeaders([("X-Moat-Gateway-Assertion", assertion)]))
    return await web.respond(to: request).status
}

@Suite("Gateway key rotation")
struct GatewayKeyRotationTests {
    @Test("web tier fetches keys and follows rotation")
    func followsRotation() async throws {
        let clock = ManualClock(Date())
        let first = try signer("first")
        let second = try signer("second")
        let third = try signer("third")
        let endpoint = KeysEndpoint(try JSONWebKeySet(keys: [first.publicJWK]))
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), responder: endpoint, logger: .disabled)
        try server.start()
        do {
            try await exerciseRotation(endpoint: endpoint, port: server.port, clock: clock, signers: (first, second, third))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func exerciseRotation(
        endpoint: KeysEndpoint, port: Int, clock: ManualClock, signers: (JWTSigner, JWTSigner, JWTSigner)
    ) async throws {
        let (first, second, third) = signers
        let keysURL = try require(URL(string: "http://127.0.0.1:\(port)/.auth/keys"))
        let keys = GatewayAssertionFrontDoor.keySetCache(keysURL: keysURL, gatewayURL: gatewayURL, refetchCooldown: 30, clock: clock)
        let web = GatewayFrontedWebApp(
            configuration: GatewayFrontedWebApp.Configuration(publicURL: gatewayURL, csrfKey: Data(repeating: 7, count: 32)),
            frontDoor: GatewayAssertionFrontDoor(gatewayURL: gatewayURL, audience: webOrigin, keys: keys, clock: clock),
            backend: UnusedBackend()
        )

        #expect(await me(web, try assertion(first, clock: clock)) == 200)
        #expect(endpoint.fetches.current == 1)

        // The gateway rotates: the web tier meets an unknown kid and refetches once.
        endpoint.keySet.withLock { $0 = try! JSONWebKeySet(keys: [second.publicJWK]) }
        clock.advance(by: 31)
        #expect(await me(web, try assertion(second, clock: clock)) == 200)
        #expect(endpoint.fetches.current == 2)

        // The retired key is gone from the new set.
        #expect(await me(web, try assertion(first, clock: clock)) == 401)

        // Within the cooldown another unknown kid causes no fetch, so it is rejected even once published.
        endpoint.keySet.withLock { $0 = try! JSONWebKeySet(keys: [second.publicJWK, third.publicJWK]) }
        #expect(await me(web, try assertion(third, clock: clock)) == 401)
        #expect(endpoint.fetches.current == 2)

        // After the cooldown the new key is fetched and accepted.
        clock.advance(by: 31)
        #expect(await me(web, try assertion(third, clock: clock)) == 200)
        #expect(endpoint.fetches.current == 3)
    }

    @Test("unreachable gateway keys give 503")
    func unreachableKeys() async throws {
        let clock = ManualClock(Date())
        let port = try PortPicker.freePort()
        let keysURL = try require(URL(string: "http://127.0.0.1:\(port)/.auth/keys"))
        let web = GatewayFrontedWebApp(
            configuration: GatewayFrontedWebApp.Configuration(publicURL: gatewayURL, csrfKey: Data(repeating: 7, count: 32)),
            frontDoor: GatewayAssertionFrontDoor(
                gatewayURL: gatewayURL, audience: webOrigin,
                keys: GatewayAssertionFrontDoor.keySetCache(keysURL: keysURL, gatewayURL: gatewayURL, clock: clock), clock: clock
            ),
            backend: UnusedBackend()
        )
        #expect(await me(web, try assertion(try signer("first"), clock: clock)) == 503)
    }
}
