import Foundation
import MoatConfig
import MoatCore
import MoatDevIdP
import MoatIdentity
import MoatWeb

/// Builds `moat web` from the configuration.
enum WebFactory {
    static func make(
        _ configuration: MoatConfiguration, directory: Directory, data: DataFolder, issuer: String, webURL: String, apiURL: String, logger: Logger
    ) throws -> WebApp {
        let webApp = directory.app(named: "moat-web")
        guard let clientID = configuration.web.clientID ?? webApp?.clientID else {
            throw LaunchError("web.client_id is not set and the directory has no app named moat-web")
        }
        // A directory secret belongs to the dev IdP: it is never sent to an issuer configured elsewhere.
        let directorySecret = configuration.api.issuer == nil ? webApp?.clientSecret : nil
        guard let secret = configuration.web.clientSecret ?? directorySecret else {
            throw LaunchError("the web tier's client secret is not set; export MOAT_WEB_CLIENT_SECRET")
        }
        guard let apiBase = URL(string: apiURL) else {
            throw LaunchError("the api URL \(apiURL) is not valid")
        }
        let relyingParty = RelyingPartyConfiguration(
            issuer: issuer, clientID: clientID, clientSecret: secret, redirectURI: webURL + "/auth/callback",
            scopes: ["openid", "profile", "offline_access", configuration.web.apiScope],
            allowedTenants: configuration.api.allowedTenants
        )
        let web = WebConfiguration(
            publicBaseURL: webURL, apiBaseURL: apiBase, relyingParty: relyingParty,
            cookieKey: try data.secret(named: "web-cookie.key", byteCount: 32)
        )
        let keys = KeySetCache(source: HTTPKeySetSource(issuer: issuer), logger: logger)
        return try WebApp(configuration: web, keys: keys, logger: logger)
    }
}
