import Foundation
import MoatCore
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

/// Runs `body` against a loopback ``HTTPServer`` that serves `router`, then stops it.
private func withLoopbackServer(_ router: Router, _ body: (_ baseURL: String) async throws -> Void) async throws {
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

/// A router serving a discovery document that names `documentIssuer` and a one-key JWKS.
private func providerRouter(tenantPath: String, documentIssuer: @escaping @Sendable () -> String, baseURL: @escaping @Sendable () -> String) -> Router {
    var router = Router()
    router.get("\(tenantPath)/v2.0/.well-known/openid-configuration") { _ in
        let document: JSONObject = [
            "issuer": .string(documentIssuer()),
            "authorization_endpoint": .string(baseURL() + tenantPath + "/oauth2/v2.0/authorize"),
            "token_endpoint": .string(baseURL() + tenantPath + "/oauth2/v2.0/token"),
            "jwks_uri": .string(baseURL() + tenantPath + "/discovery/v2.0/keys"),
        ]
        return .json(data: JSONValue.object(document).serialized())
    }
    router.get("\(tenantPath)/discovery/v2.0/keys") { _ in
        let keySet = try JSONWebKeySet(keys: [TestKeys.signer.publicJWK])
        return .json(data: keySet.serialized())
    }
    return router
}

@Suite("HTTPKeySetSource")
struct HTTPKeySetSourceTests {
    let tenantPath = "/\(TestKeys.tenantID)"

    @Test("discovery with the configured issuer is accepted")
    func matchingIssuerIsAccepted() async throws {
        let port = LockedValue("")
        let router = providerRouter(
            tenantPath: tenantPath,
            documentIssuer: { port.current + "/\(TestKeys.tenantID)/v2.0" },
            baseURL: { port.current }
        )
        try await withLoopbackServer(router) { baseURL in
            port.withLock { $0 = baseURL }
            let source = HTTPKeySetSource(issuer: baseURL + tenantPath + "/v2.0")

            let metadata = try await source.fetchMetadata()
            let keySet = try await source.fetchKeySet(from: metadata)

            #expect(metadata.issuer == baseURL + tenantPath + "/v2.0")
            #expect(keySet.keys.map(\.keyID) == ["key-1"])
        }
    }

    @Test("discovery naming another issuer is rejected", arguments: [
        "https://evil.example/{tid}/v2.0",
        "{base}/{tid}/v2.0/",
        "{base}/{tid}",
        "{base}/{tid}/V2.0",
        "{base}/{tid}/v2.0.evil",
        "https://sts.windows.net/{tid}/",
    ])
    func mismatchedIssuerIsRejected(template: String) async throws {
        let port = LockedValue("")
        let router = providerRouter(
            tenantPath: tenantPath,
            documentIssuer: {
                template.replacingOccurrences(of: "{base}", with: port.current)
                    .replacingOccurrences(of: "{tid}", with: TestKeys.tenantID)
            },
            baseURL: { port.current }
        )
        try await withLoopbackServer(router) { baseURL in
            port.withLock { $0 = baseURL }
            let source = HTTPKeySetSource(issuer: baseURL + tenantPath + "/v2.0")

            let error = await #expect(throws: TokenRejection.self) {
                _ = try await source.fetchMetadata()
            }
            #expect(error?.code == .discoveryFailed)
        }
    }

    @Test("cache with a mismatched discovery issuer has no keys")
    func cacheRejectsMismatchedIssuer() async throws {
        let port = LockedValue("")
        let router = providerRouter(
            tenantPath: tenantPath,
            documentIssuer: { "https://evil.example/\(TestKeys.tenantID)/v2.0" },
            baseURL: { port.current }
        )
        try await withLoopbackServer(router) { baseURL in
            port.withLock { $0 = baseURL }
            let cache = KeySetCache(source: HTTPKeySetSource(issuer: baseURL + tenantPath + "/v2.0"))

            await #expect(throws: TokenRejection.self) {
                _ = try await cache.currentKeySet()
            }
        }
    }
    @Test("missing jwks_uri document is a key set failure")
    func missingKeySetIsNotDiscoveryFailure() async throws {
        try await withLoopbackServer(Router()) { baseURL in
            let source = HTTPKeySetSource(issuer: baseURL + tenantPath + "/v2.0", jwksURI: URL(string: baseURL + "/keys-mistyped"))

            let metadata = try await source.fetchMetadata()
            let error = await #expect(throws: TokenRejection.self) {
                _ = try await source.fetchKeySet(from: metadata)
            }
            #expect(error?.code == .keySetFetchFailed)
            #expect(error?.reason.contains("HTTP 404") == true, "reason: \(error?.reason ?? "none")")
        }
    }

    @Test("key set fetch is logged with issuer and key count")
    func keySetFetchIsLogged() async throws {
        let port = LockedValue("")
        let router = providerRouter(
            tenantPath: tenantPath,
            documentIssuer: { port.current + "/\(TestKeys.tenantID)/v2.0" },
            baseURL: { port.current }
        )
        try await withLoopbackServer(router) { baseURL in
            port.withLock { $0 = baseURL }
            let handler = InMemoryLogHandler()
            let logger = Logger(label: "moat.test", level: .info, handler: handler)
            let clock = ManualClock()
            let source = HTTPKeySetSource(issuer: baseURL + tenantPath + "/v2.0")
            let cache = KeySetCache(source: source, refetchCooldown: 30, clock: clock, logger: logger)

            _ = try await cache.currentKeySet()
            clock.advance(by: 31)
            _ = await cache.keySetAfterUnknownKeyID()

            let fetches = handler.entries.filter { $0.message == "key set fetched" }
            #expect(fetches.map(\.level) == [.info, .info])
            #expect(fetches.map { $0.metadata["moat.jwks.reason"] } == ["first use", "unknown kid"])
            #expect(fetches.first?.metadata["moat.jwks.issuer"] == baseURL + tenantPath + "/v2.0")
            #expect(fetches.first?.metadata["moat.jwks.keys"] == "1")
        }
    }
}
