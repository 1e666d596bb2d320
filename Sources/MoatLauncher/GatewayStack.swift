import Foundation
import MoatConfig
import MoatCore
import MoatDevIdP
import MoatGateway
import MoatHTTP

/// `moat gateway`: the gateway in front of an upstream, with the dev
/// identity provider when no external issuer is configured.
public final class GatewayStack: Sendable {
    /// The gateway's public address.
    public let gatewayURL: String
    public let upstream: String
    public let issuer: String
    /// The dev identity provider's address, nil with an external issuer.
    public let idpURL: String?
    /// The dev identity provider's directory, nil with an external issuer.
    public let directory: Directory?
    private let servers: [HTTPServer]

    private init(gatewayURL: String, upstream: String, issuer: String, idpURL: String?, directory: Directory?, servers: [HTTPServer]) {
        self.gatewayURL = gatewayURL
        self.upstream = upstream
        self.issuer = issuer
        self.idpURL = idpURL
        self.directory = directory
        self.servers = servers
    }

    /// Starts the gateway (and the dev identity provider when `gateway.issuer` is unset).
    ///
    /// With the dev identity provider the gateway is registered as the app
    /// `moat-gateway`, requests the api's Chat scope so sessions carry the
    /// user's app roles, and accepts bearer tokens for the api from the apps
    /// in `gateway.allowed_client_apps`.
    public static func start(_ configuration: MoatConfiguration, logger: Logger) async throws -> GatewayStack {
        let settings = configuration.gateway
        guard let upstream = settings.upstream else {
            throw LaunchError("the gateway needs an upstream; set gateway.upstream or pass --upstream URL")
        }
        // Checked before the identity provider starts, so a wrong path stops nothing half-started.
        try GatewayConfiguration.validateUpstreamCAFile(settings.upstreamCAFile)
        let data = try DataFolder(path: configuration.dataDirectory)
        let host = configuration.host
        let gatewayPort = try PortPicker.resolve(settings.port, host: host)
        let gatewayURL = settings.publicBaseURL ?? "http://\(host):\(gatewayPort)"
        var servers: [HTTPServer] = []
        do {
            let issuer: String
            var idpURL: String?
            var directory: Directory?
            let clientID: String
            let clientSecret: String
            var scopes = settings.scopes
            var audiences = settings.audiences
            if let external = settings.issuer {
                guard let id = settings.clientID, let secret = settings.clientSecret else {
                    throw ConfigurationError("gateway.issuer is set, so gateway.client_id and MOAT_GATEWAY_CLIENT_SECRET are needed too")
                }
                issuer = external
                clientID = id
                clientSecret = secret
            } else {
                let idpPort = try PortPicker.resolve(configuration.idp.port, host: host)
                let secret = try GatewayFactory.devClientSecret(data)
                let loaded = try DevDirectory.load(configuration, gatewayURL: gatewayURL, gatewaySecret: secret, provider: settings.provider)
                let idp = DevIdentityProvider(
                    directory: loaded, signer: try SigningKeyStore.loadOrCreate(at: data.signingKey), baseURL: "http://\(host):\(idpPort)",
                    tokenLifetime: TimeInterval(configuration.idp.tokenLifetime), refreshGrants: try data.refreshGrantFile(),
                    logger: logger.relabeled("moat.idp")
                )
                idp.followSigningKeyFile(at: data.signingKey)
                servers.append(try MoatStack.startServer(host: host, port: idpPort, portSetting: "idp.port", responder: idp, logger: logger.relabeled("moat.idp")))
                issuer = idp.issuer
                idpURL = "http://\(host):\(idpPort)"
                directory = loaded
                guard let app = loaded.app(named: GatewayFactory.appName) else {
                    throw LaunchError("the directory has no app named \(GatewayFactory.appName)")
                }
                clientID = settings.clientID ?? app.clientID
                clientSecret = settings.clientSecret ?? app.clientSecret ?? secret
                if let api = loaded.app(named: "moat-api") {
                    if let uri = api.identifierURI, !scopes.contains(where: { $0.hasPrefix(uri) }) {
                        scopes.append(uri + "/Chat")
                    }
                    if audiences.isEmpty {
                        audiences = [api.clientID] + (api.identifierURI.map { [$0] } ?? [])
                    }
                }
            }
            try await SigningKeyCheck.run(issuer: issuer, jwksURI: nil, settingsSection: "gateway", logger: logger.relabeled("moat.gateway"))
            let (gateway, serverSettings) = try GatewayFactory.make(
                configuration, data: data, issuer: issuer, gatewayURL: gatewayURL, upstream: upstream,
                clientID: clientID, clientSecret: clientSecret, scopes: scopes, bearerAudiences: audiences,
                bearerClients: settings.allowedClientApps, logger: logger.relabeled("moat.gateway")
            )
            var serverConfiguration = serverSettings
            serverConfiguration.port = gatewayPort
            let server = HTTPServer(configuration: serverConfiguration, streamingResponder: gateway, logger: logger.relabeled("moat.gateway"))
            try MoatStack.start(server, portSetting: "gateway.port")
            servers.append(server)
            return GatewayStack(gatewayURL: gatewayURL, upstream: upstream, issuer: issuer, idpURL: idpURL, directory: directory, servers: servers)
        } catch {
            for server in servers.reversed() { await server.stop() }
            throw error
        }
    }

    public func stop() async {
        for server in servers.reversed() {
            await server.stop()
        }
    }
}

/// The dev identity provider's directory with the gateway registered in it.
enum DevDirectory {
    static func load(_ configuration: MoatConfiguration, gatewayURL: String, gatewaySecret: String, provider: String) throws -> Directory {
        let file: URL
        if let path = configuration.idp.directory {
            file = URL(fileURLWithPath: path)
        } else {
            guard let demo = DemoResources.directoryFile else {
                throw LaunchError("the embedded demo directory is missing from this build; set idp.directory in moat.toml")
            }
            file = demo
        }
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw LaunchError("cannot read the directory file \(file.path): \(error.localizedDescription)")
        }
        var directory = try Directory.parse(GatewayFactory.directoryText(text, gatewayURL: gatewayURL, secret: gatewaySecret, provider: provider))
        if configuration.idp.directory == nil {
            // So that `moat web --pattern 2` beside this gateway gets its app role from the demo directory.
            directory = try directory.grantingAppCallerRole()
        }
        return directory.registeringGateway(at: gatewayURL, provider: provider)
    }
}
