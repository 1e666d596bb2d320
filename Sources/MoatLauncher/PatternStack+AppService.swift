import Foundation
import MoatAPI
import MoatConfig
import MoatCore
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatWeb

extension PatternStack {
    /// Patterns 1 and 2 behind App Service authentication: no gateway starts,
    /// and the web tier accepts only requests with the tokens that App Service's
    /// token store forwards.
    ///
    /// The registration App Service signs users in with is the web tier's
    /// (`web.client_id`, default the directory's `moat-web`), so it is the ID
    /// token's audience and the access token's `azp`. The dev identity
    /// provider starts only without `api.issuer`, so that tests and local runs
    /// can mint the tokens App Service would forward.
    static func startBehindAppService(_ configuration: MoatConfiguration, pattern: Int, logger: Logger) async throws -> PatternStack {
        let data = try DataFolder(path: configuration.dataDirectory)
        let host = configuration.host
        let webPort = try PortPicker.resolve(configuration.web.port, host: host)
        let apiPort = pattern == 2 ? try PortPicker.resolve(configuration.api.port, host: host) : 0
        let webListenURL = "http://\(host):\(webPort)"
        let publicURL = configuration.web.publicBaseURL ?? webListenURL
        let apiURL = "http://\(host):\(apiPort)"

        var directory = try MoatStack.loadDirectory(configuration)
        if configuration.idp.directory == nil {
            directory = directory.registeringWebApp(named: "moat-web", at: publicURL)
        }
        if pattern == 2 {
            directory = try directory.grantingAppCallerRole()
        }
        guard let webApp = directory.app(named: "moat-web"), let apiApp = directory.app(named: "moat-api") else {
            throw LaunchError("patterns 1 and 2 need the apps moat-web and moat-api in the directory")
        }
        let webClientID = configuration.web.clientID ?? webApp.clientID

        var servers: [HTTPServer] = []
        do {
            var idpURL: String?
            let issuer: String
            if let configured = configuration.api.issuer {
                issuer = configured
            } else {
                let idpPort = try PortPicker.resolve(configuration.idp.port, host: host)
                let idp = DevIdentityProvider(
                    directory: directory, signer: try SigningKeyStore.loadOrCreate(at: data.signingKey), baseURL: "http://\(host):\(idpPort)",
                    tokenLifetime: TimeInterval(configuration.idp.tokenLifetime), refreshGrants: try data.refreshGrantFile(),
                    logger: logger.relabeled("moat.idp")
                )
                servers.append(try MoatStack.startServer(host: host, port: idpPort, portSetting: "idp.port", responder: idp, logger: logger.relabeled("moat.idp")))
                idpURL = "http://\(host):\(idpPort)"
                issuer = idp.issuer
            }

            // Pattern 1: App Service's access token comes from the web registration. Pattern 2: the web tier's own app token.
            var apiSettings = configuration
            if apiSettings.api.allowedClientApps.isEmpty {
                apiSettings.api.allowedClientApps = [webClientID]
            }
            let (service, ingested) = try APIFactory.make(
                apiSettings, directory: directory, data: data, issuer: issuer, idpURL: idpURL ?? issuer, logger: logger.relabeled("moat.api"))
            let keys = KeySetCache(
                source: HTTPKeySetSource(issuer: issuer, jwksURI: configuration.api.jwksURI.flatMap { URL(string: $0) }),
                logger: logger.relabeled("moat.web")
            )

            let backend: any GatewayChatBackend
            // Both patterns read the user's roles on the api from the access token App
            // Service forwards: pattern 1 also calls the api with it, pattern 2 only
            // passes the roles on in the signed user context.
            let policy = APIFactory.tokenPolicy(apiSettings, directory: directory, apiApp: apiApp, issuer: issuer)
            let accessTokenValidator = AccessTokenValidator(policy: policy, keys: keys)
            if pattern == 1 {
                backend = InProcessChatBackend(api: service)
            } else {
                let (appBackend, appCallerAPI) = try makeAppIdentityBackend(
                    configuration, data: data, webApp: webApp, apiApp: apiApp, issuer: issuer, webURL: publicURL, apiURL: apiURL, service: service, logger: logger
                )
                servers.append(try MoatStack.startServer(host: host, port: apiPort, portSetting: "api.port", responder: appCallerAPI, logger: logger.relabeled("moat.api")))
                backend = appBackend
            }

            let frontDoor = WebFactory.appServiceFrontDoor(
                configuration, issuer: issuer, webClientID: webClientID, accessTokenValidator: accessTokenValidator,
                keys: keys, logger: logger.relabeled("moat.web")
            )
            let web = GatewayFrontedWebApp(
                configuration: GatewayFrontedWebApp.Configuration(
                    publicURL: publicURL, csrfKey: try data.secret(named: "web-csrf.key", byteCount: 32),
                    signOutOrigins: [Directory.origin(of: issuer), Directory.origin(of: publicURL)].compactMap { $0 },
                    publicURLSetting: "web.public_base_url"
                ),
                frontDoor: frontDoor, backend: backend, logger: logger.relabeled("moat.web")
            )
            servers.append(try MoatStack.startServer(host: host, port: webPort, portSetting: "web.port", responder: web, logger: logger.relabeled("moat.web")))
            logger.info("web tier started behind App Service authentication", metadata: [
                "moat.pattern": "\(pattern)", "moat.web.url": publicURL, "moat.issuer": issuer,
            ])

            return PatternStack(
                pattern: pattern, frontDoor: configuration.web.frontDoor, gatewayURL: publicURL, webURL: webListenURL,
                apiURL: pattern == 2 ? apiURL : nil, idpURL: idpURL, issuer: issuer, directory: directory, ingested: ingested, servers: servers
            )
        } catch {
            for server in servers.reversed() { await server.stop() }
            throw error
        }
    }
}
