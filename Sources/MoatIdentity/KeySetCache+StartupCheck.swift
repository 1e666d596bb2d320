import Foundation
import MoatCore

extension KeySetCache {
    /// Fetches the key set once, so that a wrong issuer or `jwks_uri` stops a component at start-up
    /// instead of leaving it healthy while every request gets 503 `keys_unavailable`.
    ///
    /// - Throws: ``TokenRejection`` when retrying cannot help: discovery names another issuer, the
    ///   provider returns HTTP 4xx, or a document does not parse. A network error or an HTTP 5xx is
    ///   only logged as a warning, because the identity provider may start after this component.
    public func checkAtStartup(issuer: String, logger: Logger) async throws {
        do {
            _ = try await currentKeySet()
        } catch let rejection as TokenRejection {
            throw rejection
        } catch {
            logger.warning(
                "signing keys not fetched at start-up; retrying on the first request",
                metadata: ["moat.jwks.issuer": issuer, "moat.error": "\(error)"]
            )
        }
    }
}
