import Foundation

/// Why a bearer token or a sign-in response was rejected.
///
/// `code` comes from a closed set and is safe to put in audit records and
/// metrics; `reason` is a sentence for logs and problem details. Neither ever
/// contains the token itself.
public struct TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let missingToken = Code(rawValue: "missing_token")
        public static let malformedAuthorization = Code(rawValue: "malformed_authorization")
        public static let invalidToken = Code(rawValue: "invalid_token")
        public static let keysUnavailable = Code(rawValue: "keys_unavailable")
        public static let notAnAccessToken = Code(rawValue: "not_an_access_token")
        public static let unsupportedTokenVersion = Code(rawValue: "unsupported_token_version")
        public static let missingIdentity = Code(rawValue: "missing_identity")
        public static let tenantNotAllowed = Code(rawValue: "tenant_not_allowed")
        public static let clientNotAllowed = Code(rawValue: "client_not_allowed")
        public static let invalidIDToken = Code(rawValue: "invalid_id_token")
        public static let nonceMismatch = Code(rawValue: "nonce_mismatch")
        public static let discoveryFailed = Code(rawValue: "discovery_failed")
        /// The key set at `jwks_uri` could not be fetched (an HTTP status other than 200).
        public static let keySetFetchFailed = Code(rawValue: "jwks_fetch_failed")
        public static let tokenRequestFailed = Code(rawValue: "token_request_failed")
        /// The token signals a group overage and this API has no way to look groups up.
        public static let groupOverageUnresolved = Code(rawValue: "group_overage_unresolved")
        /// The directory lookup of an overage token's groups failed.
        public static let groupResolutionFailed = Code(rawValue: "group_resolution_failed")
    }

    public let code: Code
    /// The JOSE layer's code when the signature or a registered claim failed, for example `token_expired`.
    public let detailCode: String?
    public let reason: String

    public init(_ code: Code, detailCode: String? = nil, _ reason: String) {
        self.code = code
        self.detailCode = detailCode
        self.reason = reason
    }

    public static func == (lhs: TokenRejection, rhs: TokenRejection) -> Bool {
        lhs.code == rhs.code && lhs.detailCode == rhs.detailCode
    }

    public var description: String {
        if let detailCode { return "\(code.rawValue) (\(detailCode)): \(reason)" }
        return "\(code.rawValue): \(reason)"
    }
}
