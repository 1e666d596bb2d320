import Foundation
import MoatJSON

/// A JWT whose signature and claims passed ``JWTVerifier``.
public struct VerifiedJWT: Sendable {
    public let header: JSONObject
    public let claims: JSONObject

    public init(header: JSONObject, claims: JSONObject) {
        self.header = header
        self.claims = claims
    }

    public var issuer: String? { string("iss") }
    public var subject: String? { string("sub") }
    /// `aud` as a list: a single string becomes a one-element list.
    public var audiences: [String] { JWTVerifier.audiences(claims) }
    public var expiresAt: Date? { date("exp") }
    public var issuedAt: Date? { date("iat") }
    public var notBefore: Date? { date("nbf") }

    /// The claim when it is a string; nil when absent or of another type.
    public func string(_ claim: String) -> String? {
        claims[claim]?.stringValue
    }

    /// The claim when it is an array of strings; `[]` when absent or of any
    /// other type. A single string is not promoted to a list, so a `roles`
    /// claim sent as `"Admin"` grants nothing.
    public func strings(_ claim: String) -> [String] {
        guard let list = claims[claim]?.arrayValue else { return [] }
        let strings = list.compactMap(\.stringValue)
        return strings.count == list.count ? strings : []
    }

    private func date(_ claim: String) -> Date? {
        claims[claim]?.doubleValue.map(Date.init(timeIntervalSince1970:))
    }
}
