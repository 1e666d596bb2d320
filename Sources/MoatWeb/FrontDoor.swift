import Foundation
import MoatHTTP

/// The component that signs users in before requests reach the gateway-fronted
/// web tier, and the way the tier checks that it did: `moat gateway`'s signed
/// assertion (``GatewayAssertionFrontDoor``) or the tokens that App Service
/// authentication forwards (``AppServiceFrontDoor``).
public protocol FrontDoor: Sendable {
    /// Returns the user behind `request`.
    ///
    /// - Throws: ``ProblemDetails`` with status 401 when the request carries no
    ///   valid proof of sign-in, so a request that bypassed the front door is rejected.
    func authenticate(_ request: HTTPRequest) async throws -> FrontDoorIdentity
}

/// A signed-in user together with the per-session value that the chat page's
/// anti-CSRF token is bound to.
public struct FrontDoorIdentity: Sendable, Equatable {
    public var user: GatewayUser
    /// A value that the front door sets for one sign-in session and a cross-site
    /// attacker cannot read. Nil when the request carries none, in which case
    /// every state-changing request is rejected.
    public var sessionBinding: String?

    public init(user: GatewayUser, sessionBinding: String?) {
        self.user = user
        self.sessionBinding = sessionBinding
    }
}
