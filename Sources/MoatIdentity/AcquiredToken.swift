import Foundation

/// A token response from ``ConfidentialClient``, with the expiry as a date.
public struct AcquiredToken: Sendable, Equatable {
    public var accessToken: String
    /// When the access token expires: the request time plus `expires_in`.
    public var expiresAt: Date
    /// The rotated refresh token, when the provider issued one. Store it and
    /// discard the one that was redeemed: presenting a redeemed refresh token
    /// again makes a rotating provider revoke the whole token family.
    public var refreshToken: String?
    public var idToken: String?
    /// Granted scopes, space-separated, when the provider returned them.
    public var scope: String?

    public init(accessToken: String, expiresAt: Date, refreshToken: String? = nil, idToken: String? = nil, scope: String? = nil) {
        self.accessToken = accessToken
        self.expiresAt = expiresAt
        self.refreshToken = refreshToken
        self.idToken = idToken
        self.scope = scope
    }

    init(_ response: TokenResponse, requestedAt: Date) {
        self.init(
            accessToken: response.accessToken,
            expiresAt: requestedAt.addingTimeInterval(TimeInterval(response.expiresIn)),
            refreshToken: response.refreshToken, idToken: response.idToken, scope: response.scope)
    }
}
