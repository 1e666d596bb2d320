import Foundation
import MoatAPI
import MoatConfig
import MoatCore
import MoatCrypto
import MoatDevIdP
import MoatIdentity
import MoatWeb

extension PatternStack {
    /// Pattern 2's chat backend and the api route it calls: the web tier gets
    /// client-credentials tokens for the api and signs the user context with a
    /// key made at start, whose public half the api in this process trusts.
    static func makeAppIdentityBackend(
        _ configuration: MoatConfiguration, webApp: Directory.App, apiApp: Directory.App, issuer: String,
        webURL: String, apiURL: String, service: APIService, logger: Logger
    ) throws -> (AppIdentityChatBackend, AppCallerAPI) {
        // A directory secret belongs to the dev IdP: it is never sent to an issuer configured elsewhere.
        let directorySecret = configuration.api.issuer == nil ? webApp.clientSecret : nil
        guard let webSecret = configuration.web.clientSecret ?? directorySecret else {
            throw LaunchError("the web tier's client secret is not set; export MOAT_WEB_CLIENT_SECRET")
        }
        guard let apiBase = URL(string: apiURL),
              let tokenEndpoint = URL(string: issuer.replacingOccurrences(of: "/v2.0", with: "") + "/oauth2/v2.0/token")
        else {
            throw LaunchError("the api URL \(apiURL) or the issuer \(issuer) is not a valid URL")
        }
        let apiAudience = configuration.api.audiences.first ?? apiApp.clientID
        let tokens = ClientCredentialsClient(
            tokenEndpoint: tokenEndpoint, clientID: configuration.web.clientID ?? webApp.clientID, clientSecret: webSecret,
            scope: configuration.web.apiScope.hasSuffix("/.default")
                ? configuration.web.apiScope : (apiApp.identifierURI ?? apiApp.clientID) + "/.default"
        )
        let backend = try AppIdentityChatBackend(
            apiBaseURL: apiBase, tokens: tokens, contextKey: try PrivateKey.generateEC(curve: .p256),
            issuer: webURL, audience: apiAudience, logger: logger.relabeled("moat.web")
        )
        let appCallerAPI = AppCallerAPI(service: service, configuration: AppCallerAPI.Configuration(
            userContextKeys: backend.contextKeySet, userContextIssuer: webURL, userContextAudience: apiAudience,
            callerRole: appCallerRole
        ))
        return (backend, appCallerAPI)
    }
}
