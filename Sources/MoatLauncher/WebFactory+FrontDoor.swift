import Foundation
import MoatAPI
import MoatConfig
import MoatCore
import MoatCrypto
import MoatDevIdP
import MoatIdentity
import MoatWeb

/// Builds the web tier of patterns 1 and 2, which a front door signs users in for.
extension WebFactory {
    /// The app role the web tier's own token needs on the api in pattern 2.
    static let appCallerRole = "Chat.Invoke"

    /// `moat web --pattern 2`: the web tier behind `web.front_door`, calling the
    /// api at `web.api_url` with its own client-credentials token and the user
    /// context, and publishing the context's public key for the api.
    static func makeGatewayFronted(
        _ configuration: MoatConfiguration, directory: Directory, data: DataFolder, issuer: String, logger: Logger
    ) throws -> GatewayFrontedWebApp {
        guard let webApp = directory.app(named: "moat-web"), let apiApp = directory.app(named: "moat-api") else {
            throw LaunchError("pattern 2 needs the apps moat-web and moat-api in the directory; set web.client_id and api.audiences")
        }
        let webURL = configuration.web.publicBaseURL ?? "http://\(configuration.host):\(configuration.web.port)"
        let apiURL = configuration.web.apiURL ?? "http://\(configuration.host):\(configuration.api.port)"
        let backend = try makeAppIdentityBackend(
            configuration, data: data, webApp: webApp, apiApp: apiApp, issuer: issuer, webURL: webURL, apiURL: apiURL, logger: logger
        )

        let frontDoor: any FrontDoor
        let publicURL: String
        let publicURLSetting: String
        if configuration.web.frontDoor == "app-service" {
            // The user's roles on the api come from the api access token App Service forwards.
            var apiSettings = configuration
            if apiSettings.api.allowedClientApps.isEmpty {
                apiSettings.api.allowedClientApps = [configuration.web.clientID ?? webApp.clientID]
            }
            let keys = KeySetCache(
                source: HTTPKeySetSource(issuer: issuer, jwksURI: configuration.api.jwksURI.flatMap { URL(string: $0) }), logger: logger
            )
            let validator = AccessTokenValidator(
                policy: APIFactory.tokenPolicy(apiSettings, directory: directory, apiApp: apiApp, issuer: issuer), keys: keys
            )
            frontDoor = appServiceFrontDoor(
                configuration, issuer: issuer, webClientID: configuration.web.clientID ?? webApp.clientID,
                accessTokenValidator: validator, keys: keys, logger: logger
            )
            publicURL = webURL
            publicURLSetting = "web.public_base_url"
        } else {
            guard let gatewayURL = configuration.gateway.publicBaseURL, let keysURL = URL(string: gatewayURL + "/.auth/keys") else {
                throw LaunchError("the web tier behind moat gateway needs the gateway's address; set gateway.public_base_url (MOAT_GATEWAY_PUBLIC_BASE_URL)")
            }
            // The gateway names its upstream's origin in the assertion's aud.
            frontDoor = GatewayAssertionFrontDoor(
                gatewayURL: gatewayURL, audience: webURL,
                keys: GatewayAssertionFrontDoor.keySetCache(keysURL: keysURL, gatewayURL: gatewayURL, logger: logger), logger: logger
            )
            publicURL = gatewayURL
            publicURLSetting = "gateway.public_base_url"
        }
        logger.info("web tier behind a front door", metadata: ["moat.web.front_door": configuration.web.frontDoor, "moat.web.url": webURL, "moat.api.url": apiURL])
        return GatewayFrontedWebApp(
            configuration: GatewayFrontedWebApp.Configuration(
                publicURL: publicURL, csrfKey: try data.secret(named: "web-csrf.key", byteCount: 32),
                signOutOrigins: [Directory.origin(of: issuer), Directory.origin(of: publicURL)].compactMap { $0 },
                userContextKeys: backend.contextKeySet, publicURLSetting: publicURLSetting
            ),
            frontDoor: frontDoor, backend: backend, logger: logger
        )
    }

    /// App Service authentication as the front door: tokens from `issuer` for the
    /// web registration, from the tenants in `api.allowed_tenants` (default the issuer's).
    static func appServiceFrontDoor(
        _ configuration: MoatConfiguration, issuer: String, webClientID: String, accessTokenValidator: AccessTokenValidator?,
        keys: KeySetCache? = nil, logger: Logger
    ) -> AppServiceFrontDoor {
        let keys = keys ?? KeySetCache(
            source: HTTPKeySetSource(issuer: issuer, jwksURI: configuration.api.jwksURI.flatMap { URL(string: $0) }), logger: logger
        )
        return AppServiceFrontDoor(
            configuration: AppServiceFrontDoor.Configuration(
                issuer: issuer, clientID: webClientID, allowedTenants: configuration.api.allowedTenants,
                leeway: TimeInterval(configuration.api.leeway), accessTokenValidator: accessTokenValidator
            ),
            keys: keys, logger: logger
        )
    }

    /// Returns the user context's `aud`: the api's first configured audience, else its client id in the directory.
    static func userContextAudience(_ configuration: MoatConfiguration, apiApp: Directory.App) -> String {
        configuration.api.audiences.first ?? apiApp.clientID
    }

    /// Builds the chat backend of pattern 2, which gets client-credentials tokens for
    /// the api and signs the user context with the key in the data folder.
    static func makeAppIdentityBackend(
        _ configuration: MoatConfiguration, data: DataFolder, webApp: Directory.App, apiApp: Directory.App, issuer: String,
        webURL: String, apiURL: String, logger: Logger
    ) throws -> AppIdentityChatBackend {
        // A directory secret belongs to the dev IdP: it is never sent to an issuer configured elsewhere.
        let directorySecret = configuration.api.issuer == nil ? webApp.clientSecret : nil
        guard let webSecret = configuration.web.clientSecret ?? directorySecret else {
            throw LaunchError("the web tier's client secret is not set; export MOAT_WEB_CLIENT_SECRET")
        }
        guard let apiBase = URL(string: apiURL), MoatConfigurationURL.isHTTP(apiURL),
              let tokenEndpoint = URL(string: issuer.replacingOccurrences(of: "/v2.0", with: "") + "/oauth2/v2.0/token")
        else {
            throw LaunchError("the api URL \(apiURL) or the issuer \(issuer) is not a valid http(s) URL; check web.api_url and api.issuer")
        }
        let tokens = ClientCredentialsClient(
            tokenEndpoint: tokenEndpoint, clientID: configuration.web.clientID ?? webApp.clientID, clientSecret: webSecret,
            scope: configuration.web.apiScope.hasSuffix("/.default")
                ? configuration.web.apiScope : (apiApp.identifierURI ?? apiApp.clientID) + "/.default"
        )
        return try AppIdentityChatBackend(
            apiBaseURL: apiBase, tokens: tokens, contextKey: try userContextKey(data),
            issuer: webURL, audience: userContextAudience(configuration, apiApp: apiApp), logger: logger
        )
    }

    /// Loads the P-256 key that signs the user context, or creates it in the data folder
    /// (mode 0600). Keeping it there lets an api in another process trust it across restarts.
    static func userContextKey(_ data: DataFolder) throws -> PrivateKey {
        let file = data.url.appendingPathComponent("web-user-context-key.pem")
        if let pem = try? String(contentsOf: file, encoding: .utf8) {
            return try PrivateKey(pem: pem)
        }
        let key = try PrivateKey.generateEC(curve: .p256)
        guard FileManager.default.createFile(atPath: file.path, contents: Data(key.pemEncoded().utf8), attributes: [.posixPermissions: 0o600]) else {
            throw LaunchError("cannot write \(file.path); check that the data folder is writable")
        }
        return key
    }
}

extension APIFactory {
    /// `moat api --pattern 2`: the api with the app-caller route, trusting user
    /// contexts signed with the keys the web tier at `webURL` publishes. The keys
    /// are cached for five minutes and refetched (at most every 30 seconds) when a
    /// context names an unknown `kid`.
    static func makeAppCallerAPI(_ configuration: MoatConfiguration, service: APIService, directory: Directory, webURL: String, logger: Logger) throws -> AppCallerAPI {
        guard let apiApp = directory.app(named: "moat-api") ?? directory.apps.first(where: { !$0.scopes.isEmpty }) else {
            throw LaunchError("the directory has no app named moat-api; set api.audiences")
        }
        guard MoatConfigurationURL.isHTTP(webURL), let keysURL = URL(string: webURL + GatewayFrontedWebApp.userContextKeysPath) else {
            throw LaunchError("the web tier's address \(webURL) is not an http(s) URL; set web.public_base_url (MOAT_WEB_PUBLIC_BASE_URL)")
        }
        let keys = KeySetCache(source: HTTPKeySetSource(issuer: webURL, jwksURI: keysURL), timeToLive: 300, refetchCooldown: 30, logger: logger)
        logger.info("app-caller route enabled", metadata: ["moat.web.url": webURL, "moat.api.caller_role": WebFactory.appCallerRole])
        return AppCallerAPI(service: service, configuration: AppCallerAPI.Configuration(
            userContextKeys: keys, userContextIssuer: webURL, userContextAudience: WebFactory.userContextAudience(configuration, apiApp: apiApp),
            callerRole: WebFactory.appCallerRole
        ))
    }
}

extension Directory {
    /// Grants `moat-web` the api's app role of pattern 2, so that its
    /// client-credentials token carries it; does nothing when already granted.
    ///
    /// - Throws: ``LaunchError`` when the directory lacks the apps or an application role to derive the role from.
    func grantingAppCallerRole() throws -> Directory {
        let granted = assignments.contains { $0.app == "moat-api" && $0.role == WebFactory.appCallerRole && $0.principal == "app:moat-web" }
        return granted ? self : try grantingAppRole(WebFactory.appCallerRole, on: "moat-api", to: "moat-web")
    }
}
