import Foundation
import MoatConfig
import MoatCore
import MoatDevIdP
import MoatHTTP

/// `moat idp`, `moat api` and `moat web`: one component per process, for
/// deployments where each runs on its own host. They read the same
/// configuration as `moat up`; the api and web tier find the identity
/// provider through `api.issuer` (default: the dev IdP at `idp.port`).
///
/// With pattern 2, `moat web` is the tier behind a front door (`web.front_door`)
/// and calls the api with its own app token. `moat api` then also serves
/// `POST /v1/app/chat`. It trusts user contexts signed with the key that the web
/// tier publishes at `<web.public_base_url>/.well-known/moat-user-context-keys`.
public enum ComponentCommand {
    public enum Component: String, Sendable, CaseIterable {
        case idp, api, web
    }

    /// Starts `component` for `pattern` (2 or 3) and blocks until SIGINT or SIGTERM.
    public static func run(_ component: Component, pattern: Int = 3, configuration: MoatConfiguration, logger: Logger) async throws {
        if component == .api || (component == .web && pattern == 3) {
            let issuer = issuer(configuration, directory: try MoatStack.loadDirectory(configuration))
            try await SigningKeyCheck.run(
                issuer: issuer, jwksURI: component == .api ? configuration.api.jwksURI : nil, settingsSection: "api",
                logger: logger.relabeled("moat.\(component.rawValue)"))
        }
        let server = try start(component, pattern: pattern, configuration: configuration, logger: logger.relabeled("moat.\(component.rawValue)"))
        let signal = await TerminationSignal.wait()
        logger.info("stopping", metadata: ["moat.signal": "\(signal)"])
        await server.stop()
        logger.info("stopped")
    }

    /// Starts `component` for `pattern` and returns its running server.
    ///
    /// - Throws: ``LaunchError`` for pattern 1, whose web tier and api share one
    ///   process (`moat up --pattern 1`), or for a configuration the component cannot run with.
    public static func start(_ component: Component, pattern: Int = 3, configuration: MoatConfiguration, logger: Logger) throws -> HTTPServer {
        guard pattern == 2 || pattern == 3 else {
            throw LaunchError("moat \(component.rawValue) runs pattern 2 or 3; pattern 1 runs web and api in one process: moat up --pattern 1")
        }
        let data = try DataFolder(path: configuration.dataDirectory)
        let host = configuration.host
        let webURL = configuration.web.publicBaseURL ?? "http://\(host):\(configuration.web.port)"
        var directory = try MoatStack.loadDirectory(configuration)
        if configuration.idp.directory == nil {
            directory = try directory.registeringWebApp(named: "moat-web", at: webURL).grantingAppCallerRole()
        }
        let idpURL = "http://\(host):\(configuration.idp.port)"
        let issuer = issuer(configuration, directory: directory)
        switch component {
        case .idp:
            let idp = DevIdentityProvider(
                directory: directory, signer: try SigningKeyStore.loadOrCreate(at: data.signingKey), baseURL: configuration.idp.publicBaseURL ?? idpURL,
                tokenLifetime: TimeInterval(configuration.idp.tokenLifetime), refreshGrants: try data.refreshGrantFile(), logger: logger
            )
            idp.followSigningKeyFile(at: data.signingKey)
            let server = try MoatStack.startServer(host: host, port: configuration.idp.port, portSetting: "idp.port", responder: idp, logger: logger)
            // Every endpoint lives under the tenant's path, so the log names the discovery document to start from.
            logger.info("identity provider ready", metadata: [
                "moat.idp.issuer": idp.issuer, "moat.idp.discovery": "\(idp.issuer)/.well-known/openid-configuration",
            ])
            return server
        case .api:
            let (api, _) = try APIFactory.make(configuration, directory: directory, data: data, issuer: issuer, idpURL: idpURL, logger: logger)
            guard pattern == 2 else {
                return try MoatStack.startServer(host: host, port: configuration.api.port, portSetting: "api.port", responder: api, logger: logger)
            }
            let appCallerAPI = try APIFactory.makeAppCallerAPI(configuration, service: api, directory: directory, webURL: webURL, logger: logger)
            return try MoatStack.startServer(host: host, port: configuration.api.port, portSetting: "api.port", responder: appCallerAPI, logger: logger)
        case .web where pattern == 2:
            let web = try WebFactory.makeGatewayFronted(configuration, directory: directory, data: data, issuer: issuer, logger: logger)
            return try MoatStack.startServer(host: host, port: configuration.web.port, portSetting: "web.port", responder: web, logger: logger)
        case .web:
            let apiURL = configuration.web.apiURL ?? "http://\(host):\(configuration.api.port)"
            let web = try WebFactory.make(configuration, directory: directory, data: data, issuer: issuer, webURL: webURL, apiURL: apiURL, logger: logger)
            return try MoatStack.startServer(host: host, port: configuration.web.port, portSetting: "web.port", responder: web, logger: logger)
        }
    }

    /// Returns the issuer the api and web tier accept: `api.issuer`, or the dev IdP's home tenant issuer.
    static func issuer(_ configuration: MoatConfiguration, directory: Directory) -> String {
        let idpURL = "http://\(configuration.host):\(configuration.idp.port)"
        return configuration.api.issuer ?? "\(configuration.idp.publicBaseURL ?? idpURL)/\(directory.tenant.id)/v2.0"
    }
}
