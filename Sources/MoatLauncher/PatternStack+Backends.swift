import Foundation
import MoatAPI
import MoatConfig
import MoatCore
import MoatCrypto
import MoatDevIdP
import MoatIdentity
import MoatWeb

extension PatternStack {
    /// Pattern 2's chat backend and the api route it calls in this process: the
    /// web tier gets client-credentials tokens for the api and signs the user
    /// context with the key in the data folder, whose public half the api trusts.
    static func makeAppIdentityBackend(
        _ configuration: MoatConfiguration, data: DataFolder, webApp: Directory.App, apiApp: Directory.App, issuer: String,
        webURL: String, apiURL: String, service: APIService, logger: Logger
    ) throws -> (AppIdentityChatBackend, AppCallerAPI) {
        let backend = try WebFactory.makeAppIdentityBackend(
            configuration, data: data, webApp: webApp, apiApp: apiApp, issuer: issuer, webURL: webURL, apiURL: apiURL, logger: logger
        )
        let keys = KeySetCache(source: StaticKeySetSource(issuer: webURL, keySet: backend.contextKeySet))
        let appCallerAPI = AppCallerAPI(service: service, configuration: AppCallerAPI.Configuration(
            userContextKeys: keys, userContextIssuer: webURL, userContextAudience: WebFactory.userContextAudience(configuration, apiApp: apiApp),
            callerRole: appCallerRole
        ))
        return (backend, appCallerAPI)
    }
}
