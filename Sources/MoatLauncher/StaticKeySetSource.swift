import Foundation
import MoatIdentity
import MoatJOSE

/// A key set known at start, for a ``KeySetCache`` whose keys live in the same
/// process, such as the user context keys of `moat up --pattern 2`.
struct StaticKeySetSource: KeySetSource {
    let issuer: String
    let keySet: JSONWebKeySet

    func fetchMetadata() async throws -> OIDCProviderMetadata {
        OIDCProviderMetadata(issuer: issuer, authorizationEndpoint: "", tokenEndpoint: "", jwksURI: "")
    }

    func fetchKeySet(from metadata: OIDCProviderMetadata) async throws -> JSONWebKeySet {
        keySet
    }
}
