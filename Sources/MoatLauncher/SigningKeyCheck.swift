import Foundation
import MoatCore
import MoatIdentity

/// The start-up fetch of an issuer's signing keys by the components that validate its tokens.
public enum SigningKeyCheck {
    /// Fetches the keys of `issuer` once, from `jwksURI` when set or else through discovery.
    ///
    /// - Parameter settingsSection: the section whose `issuer` and `jwks_uri` the error names, for example `api`.
    /// - Throws: ``LaunchError`` with the fetch's reason when the settings are wrong (discovery names
    ///   another issuer, HTTP 4xx, a document that does not parse). A provider that cannot be reached
    ///   yet is only logged as a warning.
    public static func run(issuer: String, jwksURI: String?, settingsSection: String, logger: Logger) async throws {
        let source = HTTPKeySetSource(issuer: issuer, jwksURI: jwksURI.flatMap { URL(string: $0) }, timeout: 3)
        let keys = KeySetCache(source: source, logger: logger)
        do {
            try await keys.checkAtStartup(issuer: issuer, logger: logger)
        } catch let rejection as TokenRejection {
            let settings = jwksURI == nil ? "\(settingsSection).issuer" : "\(settingsSection).issuer and \(settingsSection).jwks_uri"
            throw LaunchError("cannot fetch the signing keys of issuer \(issuer) (\(rejection.code)): \(rejection.reason); check \(settings)")
        }
    }
}
