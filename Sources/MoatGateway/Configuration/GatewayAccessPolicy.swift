import Foundation
import MoatCrypto

/// Who may pass the gateway once authenticated, and what each path needs.
///
/// Applies to session users and bearer callers alike. Tenants and client
/// applications of bearer tokens are checked earlier, by the token policy.
public struct GatewayAccessPolicy: Sendable {
    /// Requirements for the paths under one prefix.
    public struct PathRule: Sendable, Equatable {
        /// Segment-wise prefix of the normalised path, for example `/admin`.
        public var pathPrefix: String
        /// App roles (`roles` claim); the caller needs at least one when not empty.
        public var roles: [String]
        /// Group object ids (`groups` claim); the caller needs at least one when not empty.
        public var groups: [String]

        public init(pathPrefix: String, roles: [String] = [], groups: [String] = []) {
            self.pathPrefix = pathPrefix
            self.roles = roles
            self.groups = groups
        }
    }

    /// Principals allowed in, as `oid` or `tid:oid`; empty lets every authenticated caller in.
    public var allowedPrincipals: [String]
    /// Tenants whose session users may sign in; empty accepts only the issuer's tenant.
    public var allowedTenants: [String]
    /// Path rules; the one with the longest matching prefix applies.
    public var rules: [PathRule]

    public init(allowedPrincipals: [String] = [], allowedTenants: [String] = [], rules: [PathRule] = []) {
        self.allowedPrincipals = allowedPrincipals
        self.allowedTenants = allowedTenants
        self.rules = rules
    }

    /// The outcome of ``evaluate(_:path:)``.
    public enum Verdict: Sendable, Equatable {
        case allowed
        /// `code` is stable (`principal_not_allowed`, `missing_role`, `missing_group`).
        case denied(code: String, reason: String)
    }

    /// Checks `caller` against the principal list and the rule for `path` (normalised).
    public func evaluate(_ caller: GatewayCaller, path: String) -> Verdict {
        if !allowedPrincipals.isEmpty,
           !allowedPrincipals.contains(caller.objectID), !allowedPrincipals.contains("\(caller.tenantID):\(caller.objectID)") {
            return .denied(code: "principal_not_allowed", reason: "principal \(caller.objectID) is not on the gateway's allowed list")
        }
        let matching = rules.filter { PathNormalization.path(path, isUnder: $0.pathPrefix) }
        guard let rule = matching.max(by: { $0.pathPrefix.count < $1.pathPrefix.count }) else {
            return .allowed
        }
        if !rule.roles.isEmpty, !caller.roles.contains(where: rule.roles.contains) {
            return .denied(code: "missing_role", reason: "\(rule.pathPrefix) needs one of the roles \(rule.roles.joined(separator: ", "))")
        }
        if !rule.groups.isEmpty, !caller.groups.contains(where: rule.groups.contains) {
            return .denied(code: "missing_group", reason: "\(rule.pathPrefix) needs membership in one of \(rule.groups.count) groups")
        }
        return .allowed
    }
}

/// An authenticated caller: a signed-in browser session or a bearer token.
public struct GatewayCaller: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case session
        case bearer
    }

    public var kind: Kind
    public var tenantID: String
    public var objectID: String
    public var name: String?
    public var username: String?
    /// The calling application of a bearer token (`azp` or `appid`).
    public var clientAppID: String?
    public var roles: [String]
    public var groups: [String]
    /// Claims for `X-MS-CLIENT-PRINCIPAL`, as (type, value) pairs.
    public var claims: [GatewayClaim]
    /// Tokens to forward when ``GatewayConfiguration/forwardTokens`` is on.
    public var accessToken: String?
    public var idToken: String?
    /// A hash of the session id, so the upstream can bind state to the session; nil for bearer callers.
    public var sessionHash: String?
    /// The `X-MS-CLIENT-PRINCIPAL` value, encoded once when the caller is
    /// cached; nil means the gateway encodes it for each request.
    var clientPrincipalHeader: String? = nil
    /// ``AssertionCache/fingerprint(of:)`` of this caller, computed once when the
    /// caller is cached; nil means the gateway computes it for each request.
    var assertionFingerprint: SHA256Digest? = nil
}

/// One claim as App Service writes it in `X-MS-CLIENT-PRINCIPAL` and `/.auth/me`.
public struct GatewayClaim: Sendable, Codable, Equatable {
    public var typ: String
    public var val: String

    public init(typ: String, val: String) {
        self.typ = typ
        self.val = val
    }
}
