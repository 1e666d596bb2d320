import Foundation
import MoatLauncher
import MoatTestSupport
import MoatCore
import MoatCrypto
import MoatDevIdP
import MoatGateway
import MoatHTTP
import MoatIdentity
import MoatJOSE

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The dev identity provider and a gateway in front of a ``TestUpstream``,
/// all on free loopback ports.
struct GatewayHarness {
    static let gatewayClientID = "7d3c2b1a-0f9e-4d8c-b7a6-958473625140"
    static let gatewaySecret = "gateway-test-secret"
    static let agentClientID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    static let otherAgentClientID = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
    static let agentSecret = "agent-test-secret"

    let idpServer: HTTPServer
    let gatewayServer: HTTPServer
    let gateway: Gateway
    let directory: Directory
    let issuer: String
    let gatewayURL: String
    let logs: InMemoryLogHandler

    var gatewayPort: Int { gatewayServer.port }

    /// One key per test process, because RSA generation is slow.
    static let signer: Result<JWTSigner, any Error> = Result {
        try SigningKeyStore.signer(for: PrivateKey.generateRSA(bits: 2048))
    }

    static func start(
        upstream: TestUpstream, maxBodyBytes: Int = 1 << 20, concurrency: HTTPServerConfiguration.Concurrency = .eventLoops(2), configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        let gatewayPort = try PortPicker.freePort()
        let gatewayURL = "http://127.0.0.1:\(gatewayPort)"
        let directory = try Directory.parse(try demoDirectoryText() + extraApps(gatewayURL: gatewayURL))
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "moat.gateway.test", level: .debug, handler: logs)

        let idp = DevIdentityProvider(directory: directory, signer: try signer.get(), baseURL: "http://127.0.0.1:0")
        let idpServer = HTTPServer(configuration: HTTPServerConfiguration(port: 0), responder: idp, logger: .disabled)
        try idpServer.start()
        idp.setBaseURL("http://127.0.0.1:\(idpServer.port)")
        let issuer = idp.issuer

        let api = try require(directory.app(named: "moat-api"))
        var configuration = GatewayConfiguration(
            publicBaseURL: gatewayURL,
            upstream: try require(URL(string: upstream.url)),
            signIn: RelyingPartyConfiguration(
                issuer: issuer, clientID: gatewayClientID, clientSecret: gatewaySecret,
                redirectURI: gatewayURL + "/.auth/login/aad/callback",
                scopes: ["openid", "profile", "offline_access", "api://moat-api/Chat"]
            ),
            bearerPolicy: AccessTokenPolicy(issuer: issuer, audiences: [api.clientID, "api://moat-api"], allowedClientApps: [agentClientID]),
            cookieKey: SecureRandom.bytes(count: 32),
            excludedPaths: ["/healthz"],
            apiPathPrefixes: ["/api"],
            connectTimeout: 2,
            readTimeout: 5
        )
        configure(&configuration)
        let keys = KeySetCache(source: HTTPKeySetSource(issuer: issuer))
        let gateway = try Gateway(configuration: configuration, keys: keys, assertionKey: try PrivateKey.generateEC(curve: .p256), logger: logger)
        let gatewayServer = HTTPServer(
            configuration: HTTPServerConfiguration(
                port: gatewayPort, maxBodyBytes: maxBodyBytes, shutdownGracePeriod: 1, concurrency: concurrency
            ),
            streamingResponder: gateway, logger: logger
        )
        do {
            try gatewayServer.start()
        } catch {
            await idpServer.stop()
            throw error
        }
        return GatewayHarness(
            idpServer: idpServer, gatewayServer: gatewayServer, gateway: gateway, directory: directory,
            issuer: issuer, gatewayURL: gatewayURL, logs: logs
        )
    }

    func stop() async {
        await gatewayServer.stop()
        await idpServer.stop()
    }

    /// An app-only access token for the api, from the client credentials grant.
    func agentToken(clientID: String = agentClientID) async throws -> String {
        let endpoint = try require(URL(string: issuer.replacingOccurrences(of: "/v2.0", with: "") + "/oauth2/v2.0/token"))
        let client = ClientCredentialsClient(tokenEndpoint: endpoint, clientID: clientID, clientSecret: Self.agentSecret, scope: "api://moat-api/.default")
        return try await client.accessToken()
    }

    static func demoDirectoryText() throws -> String {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("Sources/MoatLauncher/Demo/directory.toml")
            if FileManager.default.fileExists(atPath: candidate.path) {
                return try String(contentsOf: candidate, encoding: .utf8)
            }
            folder.deleteLastPathComponent()
        }
        throw HarnessFailure("the demo directory was not found above \(#filePath)")
    }

    static func extraApps(gatewayURL: String) -> String {
        """

        [[apps]]
        name = "test-gateway"
        client_id = "\(gatewayClientID)"
        object_id = "8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968"
        client_secret = "\(gatewaySecret)"
        redirect_uris = ["\(gatewayURL)/.auth/login/aad/callback"]
        post_logout_redirect_uris = ["\(gatewayURL)/.auth/logout/complete"]

        [[apps]]
        name = "test-agent"
        client_id = "\(agentClientID)"
        object_id = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
        client_secret = "\(agentSecret)"

        [[apps]]
        name = "other-agent"
        client_id = "\(otherAgentClientID)"
        object_id = "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a"
        client_secret = "\(agentSecret)"

        [[assignments]]
        app = "moat-api"
        role = "Audit.Read.All"
        principal = "app:test-agent"

        [[assignments]]
        app = "moat-api"
        role = "Audit.Read.All"
        principal = "app:other-agent"

        """
    }
}

func require<Value>(_ value: Value?, _ what: String = "value") throws -> Value {
    guard let value else { throw HarnessFailure("\(what) is missing") }
    return value
}

/// Runs `body` with a harness and always stops it.
func withGateway<Value>(
    upstream: TestUpstream, maxBodyBytes: Int = 1 << 20, configure: (inout GatewayConfiguration) -> Void = { _ in },
    _ body: (GatewayHarness) async throws -> Value
) async throws -> Value {
    defer { upstream.stop() }
    let harness = try await retrying(while: { ($0 as? HTTPServerError)?.code == .addressInUse }) {
        try await GatewayHarness.start(upstream: upstream, maxBodyBytes: maxBodyBytes, configure: configure)
    }
    do {
        let result = try await body(harness)
        await harness.stop()
        return result
    } catch {
        await harness.stop()
        throw error
    }
}
