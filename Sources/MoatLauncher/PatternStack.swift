import Foundation
import MoatAPI
import MoatConfig
import MoatCore
import MoatCrypto
import MoatData
import MoatDevIdP
import MoatGateway
import MoatHTTP
import MoatIdentity
import MoatWeb

/// Patterns 1 and 2 on one machine: the dev identity provider and the
/// gateway in front of the web tier, which trusts only the gateway's signed
/// assertion. With `web.front_door = "app-service"` no gateway starts,
/// because App Service authentication is the front door, and the web tier
/// trusts only the tokens it forwards (see ``AppServiceFrontDoor``).
///
/// - Pattern 1: web and api in one process. The gateway forwards the user's
///   access token, and the web tier calls the api in-process with it, so the
///   api checks scope, role and document access as in pattern 3.
/// - Pattern 2: gateway, then web, then api on its own port. The web tier
///   calls the api with its own client-credentials token, which carries the
///   `Chat.Invoke` app role, and names the user only in a signed context
///   header that the api writes to the audit log.
public final class PatternStack: Sendable {
    public let pattern: Int
    /// `web.front_door`: `moat-gateway` or `app-service`.
    public let frontDoor: String
    /// The address browsers use: the gateway, or with App Service as the front door the web tier's public URL.
    public let gatewayURL: String
    /// The web tier behind the gateway.
    public let webURL: String
    /// The api's address in pattern 2; nil in pattern 1, where it runs inside the web tier.
    public let apiURL: String?
    /// The dev identity provider's address; nil when App Service is the front door and `api.issuer` is set.
    public let idpURL: String?
    public let issuer: String
    public let directory: Directory
    public let ingested: [IngestResult]
    private let servers: [HTTPServer]

    /// The app role that lets the web tier call the api with its own identity (pattern 2).
    static let appCallerRole = WebFactory.appCallerRole

    init(
        pattern: Int, frontDoor: String, gatewayURL: String, webURL: String, apiURL: String?, idpURL: String?, issuer: String,
        directory: Directory, ingested: [IngestResult], servers: [HTTPServer]
    ) {
        self.pattern = pattern
        self.frontDoor = frontDoor
        self.gatewayURL = gatewayURL
        self.webURL = webURL
        self.apiURL = apiURL
        self.idpURL = idpURL
        self.issuer = issuer
        self.directory = directory
        self.ingested = ingested
        self.servers = servers
    }

    /// Starts pattern 1 or 2. Port 0 in the configuration picks a free port.
    public static func start(_ configuration: MoatConfiguration, pattern: Int, logger: Logger) async throws -> PatternStack {
        guard pattern == 1 || pattern == 2 else {
            throw LaunchError("pattern \(pattern) is not 1 or 2; pattern 3 is `moat up` without --pattern")
        }
        if configuration.web.frontDoor == "app-service" {
            return try await startBehindAppService(configuration, pattern: pattern, logger: logger)
        }
        let data = try DataFolder(path: configuration.dataDirectory)
        let host = configuration.host
        let idpPort = try PortPicker.resolve(configuration.idp.port, host: host)
        let gatewayPort = try PortPicker.resolve(configuration.gateway.port, host: host)
        let webPort = try PortPicker.resolve(configuration.web.port, host: host)
        let apiPort = pattern == 2 ? try PortPicker.resolve(configuration.api.port, host: host) : 0
        let idpURL = "http://\(host):\(idpPort)"
        let gatewayURL = configuration.gateway.publicBaseURL ?? "http://\(host):\(gatewayPort)"
        let webURL = "http://\(host):\(webPort)"
        let apiURL = "http://\(host):\(apiPort)"

        var directory = try DevDirectory.load(
            configuration, gatewayURL: gatewayURL, gatewaySecret: try GatewayFactory.devClientSecret(data), provider: configuration.gateway.provider
        )
        if pattern == 2 {
            directory = try directory.grantingAppCallerRole()
        }
        guard let gatewayApp = directory.app(named: GatewayFactory.appName), let gatewaySecret = gatewayApp.clientSecret,
              let webApp = directory.app(named: "moat-web"), let apiApp = directory.app(named: "moat-api")
        else {
            throw LaunchError("patterns 1 and 2 need the apps moat-web and moat-api in the directory")
        }

        var servers: [HTTPServer] = []
        do {
            let idp = DevIdentityProvider(
                directory: directory, signer: try SigningKeyStore.loadOrCreate(at: data.signingKey), baseURL: idpURL,
                tokenLifetime: TimeInterval(configuration.idp.tokenLifetime), refreshGrants: try data.refreshGrantFile(),
                logger: logger.relabeled("moat.idp")
            )
            servers.append(try MoatStack.startServer(host: host, port: idpPort, portSetting: "idp.port", responder: idp, logger: logger.relabeled("moat.idp")))
            let issuer = configuration.api.issuer ?? idp.issuer
            try await SigningKeyCheck.run(
                issuer: issuer, jwksURI: configuration.api.jwksURI, settingsSection: "api", logger: logger.relabeled("moat.api"))

            // The api accepts the gateway's user tokens (pattern 1) or the web tier's app tokens (pattern 2),
            // and those of the apps in api.allowed_client_apps, such as an audit reader.
            var apiSettings = configuration
            let frontApp = pattern == 1 ? gatewayApp.clientID : webApp.clientID
            apiSettings.api.allowedClientApps = [frontApp] + configuration.api.allowedClientApps.filter { $0 != frontApp }
            let (service, ingested) = try APIFactory.make(apiSettings, directory: directory, data: data, issuer: issuer, idpURL: idpURL, logger: logger.relabeled("moat.api"))

            let apiScope = (apiApp.identifierURI ?? apiApp.clientID) + "/Chat"
            let (gateway, gatewayServerSettings) = try GatewayFactory.make(
                configuration, data: data, issuer: issuer, gatewayURL: gatewayURL, upstream: webURL,
                clientID: gatewayApp.clientID, clientSecret: gatewaySecret, scopes: ["openid", "profile", "offline_access", apiScope],
                bearerAudiences: [], bearerClients: [], forwardTokens: pattern == 1, logger: logger.relabeled("moat.gateway")
            )

            let backend: any GatewayChatBackend
            if pattern == 1 {
                backend = InProcessChatBackend(api: service)
            } else {
                let (appBackend, appCallerAPI) = try makeAppIdentityBackend(
                    configuration, data: data, webApp: webApp, apiApp: apiApp, issuer: issuer, webURL: webURL, apiURL: apiURL, service: service, logger: logger
                )
                servers.append(try MoatStack.startServer(host: host, port: apiPort, portSetting: "api.port", responder: appCallerAPI, logger: logger.relabeled("moat.api")))
                backend = appBackend
            }

            // The web tier fetches the gateway's assertion keys over HTTP, as it would from another host.
            guard let keysURL = URL(string: "http://\(host):\(gatewayPort)/.auth/keys") else {
                throw LaunchError("the gateway address http://\(host):\(gatewayPort) is not a valid URL; check host")
            }
            let frontDoor = GatewayAssertionFrontDoor(
                gatewayURL: gatewayURL, audience: webURL,
                keys: GatewayAssertionFrontDoor.keySetCache(keysURL: keysURL, gatewayURL: gatewayURL, logger: logger.relabeled("moat.web")),
                logger: logger.relabeled("moat.web")
            )
            let web = GatewayFrontedWebApp(
                configuration: GatewayFrontedWebApp.Configuration(
                    publicURL: gatewayURL, csrfKey: try data.secret(named: "web-csrf.key", byteCount: 32),
                    signOutOrigins: [Directory.origin(of: issuer), Directory.origin(of: gatewayURL)].compactMap { $0 }
                ),
                frontDoor: frontDoor, backend: backend, logger: logger.relabeled("moat.web")
            )
            servers.append(try MoatStack.startServer(host: host, port: webPort, portSetting: "web.port", responder: web, logger: logger.relabeled("moat.web")))

            var gatewayServerConfiguration = gatewayServerSettings
            gatewayServerConfiguration.port = gatewayPort
            let gatewayServer = HTTPServer(configuration: gatewayServerConfiguration, streamingResponder: gateway, logger: logger.relabeled("moat.gateway"))
            try MoatStack.start(gatewayServer, portSetting: "gateway.port")
            servers.append(gatewayServer)

            return PatternStack(
                pattern: pattern, frontDoor: configuration.web.frontDoor, gatewayURL: gatewayURL, webURL: webURL, apiURL: pattern == 2 ? apiURL : nil, idpURL: idpURL,
                issuer: issuer, directory: directory, ingested: ingested, servers: servers
            )
        } catch {
            for server in servers.reversed() { await server.stop() }
            throw error
        }
    }

    /// Stops the services in reverse order of start.
    public func stop() async {
        for server in servers.reversed() {
            await server.stop()
        }
    }
}

extension Directory {
    /// Adds the application role `role` to the app `resource` and grants it to the app `client`.
    ///
    /// The directory's initialisers belong to the dev identity provider, so
    /// the role and the assignment are copies of existing ones with new values.
    func grantingAppRole(_ role: String, on resource: String, to client: String) throws -> Directory {
        var copy = self
        guard let index = copy.apps.firstIndex(where: { $0.name == resource }),
              var appRole = copy.apps.flatMap(\.roles).first(where: { $0.memberTypes.contains(.application) }),
              var assignment = copy.assignments.first
        else {
            throw LaunchError("the directory needs the app \(resource), an application role and an assignment to derive the \(role) role from")
        }
        if !copy.apps[index].roles.contains(where: { $0.value == role }) {
            appRole.value = role
            appRole.memberTypes = [.application]
            copy.apps[index].roles.append(appRole)
        }
        assignment.app = resource
        assignment.role = role
        assignment.principal = "app:\(client)"
        copy.assignments.append(assignment)
        return copy
    }

    /// `scheme://host[:port]` of a URL, for Content-Security-Policy source lists.
    static func origin(of url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return nil }
        return parsed.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}
