import Foundation
import MoatJOSE

/// The members of an OpenID Provider's discovery document that Moat uses
/// (OpenID Connect Discovery 1.0 §3).
public struct OIDCProviderMetadata: Sendable, Codable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var jwksURI: String
    public var endSessionEndpoint: String?
    public var codeChallengeMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
    }

    public init(
        issuer: String, authorizationEndpoint: String, tokenEndpoint: String, jwksURI: String,
        endSessionEndpoint: String? = nil, codeChallengeMethodsSupported: [String]? = ["S256"]
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.endSessionEndpoint = endSessionEndpoint
        self.codeChallengeMethodsSupported = codeChallengeMethodsSupported
    }

    /// The discovery URL for an issuer: the issuer with `/.well-known/openid-configuration` appended.
    ///
    /// For Entra ID's multi-tenant template (`…/{tenantid}/v2.0`) the
    /// placeholder becomes `organizations`, where Entra ID and `moat idp`
    /// publish the document whose `issuer` is the template itself.
    public static func discoveryURL(forIssuer issuer: String) -> URL? {
        let authority = issuer.replacingOccurrences(of: IssuerPattern.tenantPlaceholder, with: "organizations")
        let trimmed = authority.hasSuffix("/") ? String(authority.dropLast()) : authority
        return URL(string: trimmed + "/.well-known/openid-configuration")
    }
}
