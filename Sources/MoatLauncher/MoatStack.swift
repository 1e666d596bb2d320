import Foundation
import MoatAPI
import MoatAudit
import MoatConfig
import MoatCore
import MoatData
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatWeb

/// Pattern 3 on one machine: the dev identity provider, the api and the web
/// tier, each on its own port, sharing one data folder.
public final class MoatStack: Sendable {
    public let idpURL: String
    public let apiURL: String
    /// The web tier's public address, as browsers use it.
    public let webURL: String
    /// Where the web tier listens, which differs from ``webURL`` behind a TLS proxy.
    public let webListenURL: String
    public let issuer: String
    public let directory: Directory
    /// Documents ingested at start-up.
    public let ingested: [IngestResult]
    private let servers: [HTTPServer]
    private let logger: Logger

    private init(
        idpURL: String, apiURL: String, webURL: String, webListenURL: String, issuer: String, directory: Directory,
        ingested: [IngestResult], servers: [HTTPServer], logger: Logger
    ) {
        self.idpURL = idpURL
        self.apiURL = apiURL
        self.webURL = webURL
        self.webListenURL = webListenURL
        self.issuer = issuer
        self.directory = directory
        self.ingested = ingested
        self.servers = servers
        self.logger = logger
    }

    /// Starts the three services. Port 0 in the configuration picks a free port.
    public static func start(_ configuration: MoatConfiguration, logger: Logger) async throws -> MoatStack {
        let data = try DataFolder(path: configuration.dataDirectory)
        let host = configuration.host
        let idpPort = try PortPicker.resolve(configuration.idp.port, host: host)
        let apiPort = try PortPicker.resolve(configuration.api.port, host: host)
        let webPort = try PortPicker.resolve(configuration.web.port, host: host)
        let idpURL = "http://\(host):\(idpPort)"
        let apiURL = "http://\(host):\(apiPort)"
        let webURL = configuration.web.publicBaseURL ?? "http://\(host):\(webPort)"

        var directory = try loadDirectory(configuration)
        if configuration.idp.directory == nil {
            // The embedded demo directory registers the web tier at its default port; point it at the real one.
            directory = directory.registeringWebApp(named: "moat-web", at: webURL)
        }
        var servers: [HTTPServer] = []
        do {
            let idp = DevIdentityProvider(
                directory: directory, signer: try SigningKeyStore.loadOrCreate(at: data.signingKey),
                baseURL: configuration.idp.publicBaseURL ?? idpURL,
                tokenLifetime: TimeInterval(configuration.idp.tokenLifetime), refreshGrants: try data.refreshGrantFile(),
                logger: logger.relabeled("moat.idp")
            )
            idp.followSigningKeyFile(at: data.signingKey)
            servers.append(try startServer(host: host, port: idpPort, portSetting: "idp.port", responder: idp, logger: logger.relabeled("moat.idp")))
            let issuer = configuration.api.issuer ?? idp.issuer
            try await SigningKeyCheck.run(
                issuer: issuer, jwksURI: configuration.api.jwksURI, settingsSection: "api", logger: logger.relabeled("moat.api"))

            let (api, ingested) = try APIFactory.make(
                configuration, directory: directory, data: data, issuer: issuer, idpURL: idpURL, logger: logger.relabeled("moat.api"))
            servers.append(try startServer(host: host, port: apiPort, portSetting: "api.port", responder: api, logger: logger.relabeled("moat.api")))

            let web = try WebFactory.make(configuration, directory: directory, data: data, issuer: issuer, webURL: webURL, apiURL: apiURL, logger: logger.relabeled("moat.web"))
            servers.append(try startServer(host: host, port: webPort, portSetting: "web.port", responder: web, logger: logger.relabeled("moat.web")))

            return MoatStack(
                idpURL: idpURL, apiURL: apiURL, webURL: webURL, webListenURL: "http://\(host):\(webPort)", issuer: issuer,
                directory: directory, ingested: ingested, servers: servers, logger: logger
            )
        } catch {
            for server in servers.reversed() { await server.stop() }
            throw error
        }
    }

    /// Stops the services in reverse order of start, letting requests in flight finish.
    public func stop() async {
        for server in servers.reversed() {
            await server.stop()
        }
    }

    /// Starts a server for `responder`. A responder that is also an `HTTPStreamingResponder`
    /// (the api) gets a streaming server, because only such a server sends streamed bodies.
    static func startServer(host: String, port: Int, portSetting: String, responder: any HTTPResponder, logger: Logger) throws -> HTTPServer {
        let configuration = HTTPServerConfiguration(host: host, port: port)
        let server = if let streaming = responder as? any HTTPStreamingResponder {
            HTTPServer(configuration: configuration, streamingResponder: streaming, logger: logger)
        } else {
            HTTPServer(configuration: configuration, responder: responder, logger: logger)
        }
        try start(server, portSetting: portSetting)
        return server
    }

    /// Starts `server`. A port that is taken gets an error naming the setting that chose it.
    static func start(_ server: HTTPServer, portSetting: String) throws {
        do {
            try server.start()
        } catch {
            guard error.code == .addressInUse else { throw error }
            let variable = "MOAT_" + portSetting.uppercased().replacingOccurrences(of: ".", with: "_")
            throw LaunchError("\(error); the port comes from \(portSetting) (\(variable))")
        }
    }

    static func loadDirectory(_ configuration: MoatConfiguration) throws -> Directory {
        if let path = configuration.idp.directory {
            return try Directory.load(contentsOf: URL(fileURLWithPath: path))
        }
        guard let demo = DemoResources.directoryFile else {
            throw LaunchError("the embedded demo directory is missing from this build; set idp.directory in moat.toml")
        }
        return try Directory.load(contentsOf: demo)
    }
}

extension Directory {
    /// Replaces an app's redirect and post-logout URIs with those of `baseURL`.
    func registeringWebApp(named name: String, at baseURL: String) -> Directory {
        var copy = self
        copy.apps = apps.map { app in
            guard app.name == name else { return app }
            var updated = app
            updated.redirectURIs = [baseURL + "/auth/callback"]
            updated.postLogoutRedirectURIs = [baseURL + "/auth/signed-out"]
            return updated
        }
        return copy
    }
}
