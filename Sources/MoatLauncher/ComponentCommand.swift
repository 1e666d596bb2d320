import Foundation
import MoatConfig
import MoatCore
import MoatDevIdP
import MoatHTTP

/// `moat idp`, `moat api` and `moat web`: one component per process, for
/// deployments where each runs on its own host. They read the same
/// configuration as `moat up`; the api and web tier find the identity
/// provider through `api.issuer` (default: the dev IdP at `idp.port`).
public enum ComponentCommand {
    public enum Component: String, Sendable, CaseIterable {
        case idp, api, web
    }

    /// Starts `component` and blocks until SIGINT or SIGTERM.
    public static func run(_ component: Component, configuration: MoatConfiguration, logger: Logger) async throws {
        let server = try start(component, configuration: configuration, logger: logger.relabeled("moat.\(component.rawValue)"))
        let signal = await TerminationSignal.wait()
        logger.info("stopping", metadata: ["moat.signal": "\(signal)"])
        await server.stop()
        logger.info("stopped")
    }

    static func start(_ component: Component, configuration: MoatConfiguration, logger: Logger) throws -> HTTPServer {
        let data = try DataFolder(path: configuration.dataDirectory)
        let host = configuration.host
        let webURL = configuration.web.publicBaseURL ?? "http://\(host):\(configuration.web.port)"
        var directory = try MoatStack.loadDirectory(configuration)
        if configuration.idp.directory == nil {
            directory = directory.registeringWebApp(named: "moat-web", at: webURL)
        }
        let idpURL = "http://\(host):\(configuration.idp.port)"
        let issuer = configuration.api.issuer ?? "\(configuration.idp.publicBaseURL ?? idpURL)/\(directory.tenant.id)/v2.0"
        switch component {
        case .idp:
            let idp = DevIdentityProvider(
                directory: directory, signer: try SigningKeyStore.loadOrCreate(at: data.signingKey), baseURL: configuration.idp.publicBaseURL ?? idpURL,
                tokenLifetime: TimeInterval(configuration.idp.tokenLifetime), logger: logger
            )
            idp.followSigningKeyFile(at: data.signingKey)
            return try MoatStack.startServer(host: host, port: configuration.idp.port, responder: idp, logger: logger)
        case .api:
            let (api, _) = try APIFactory.make(configuration, directory: directory, data: data, issuer: issuer, idpURL: idpURL, logger: logger)
            return try MoatStack.startServer(host: host, port: configuration.api.port, responder: api, logger: logger)
        case .web:
            let apiURL = configuration.web.apiURL ?? "http://\(host):\(configuration.api.port)"
            let web = try WebFactory.make(configuration, directory: directory, data: data, issuer: issuer, webURL: webURL, apiURL: apiURL, logger: logger)
            return try MoatStack.startServer(host: host, port: configuration.web.port, responder: web, logger: logger)
        }
    }
}
