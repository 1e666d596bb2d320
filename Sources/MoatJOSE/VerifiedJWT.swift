import Foundation
import MoatJSON

/// A JWT whose signature and claims passed ``JWTVerifier``.
public struct VerifiedJWT: Sendable {
    /// The protected header, decoded on each read.
    public var header: JSONObject { headerIndex.object() }
    /// The protected header, validated, whose members are decoded only when read.
    public let headerIndex: JSONObjectIndex
    /// The claim set, validated as strict JSON, whose members are decoded only when read.
    public let claimIndex: JSONObjectIndex

    public init(header: JSONObject, claims: JSONObject) {
        self.headerIndex = JSONObjectIndex(header)
        self.claimIndex = JSONObjectIndex(claims)
    }

    init(headerIndex: JSONObjectIndex, claimIndex: JSONObjectIndex) {
        self.headerIndex = headerIndex
        self.claimIndex = claimIndex
    }

    /// The whole claim set, decoded again on each read, so read it once.
    /// Reading single claims through ``string(_:)``, ``strings(_:)`` or
    /// ``claimIndex`` costs less. The validator does not cache it, because
    /// a lock per token would cost more than most callers' reads.
    public var claims: JSONObject { claimIndex.object() }

    public var issuer: String? { claimIndex.string(RegisteredClaim.issuer) }
    public var subject: String? { claimIndex.string(RegisteredClaim.subject) }
    /// `aud` as a list: a single string becomes a one-element list.
    public var audiences: [String] { JWTVerifier.audiences(claimIndex) }
    public var expiresAt: Date? { date(RegisteredClaim.expirationTime) }
    public var issuedAt: Date? { date(RegisteredClaim.issuedAt) }
    public var notBefore: Date? { date(RegisteredClaim.notBefore) }

    /// The claim when it is a string; nil when absent or of another type.
    public func string(_ claim: String) -> String? {
        claimIndex.string(JSONMemberName(claim))
    }

    /// The claim when it is an array of strings; `[]` when absent or of any
    /// other type. A single string is not promoted to a list, so a `roles`
    /// claim sent as `"Admin"` grants nothing.
    public func strings(_ claim: String) -> [String] {
        claimIndex.strings(JSONMemberName(claim)) ?? []
    }

    private func date(_ claim: JSONMemberName) -> Date? {
        claimIndex.number(claim).map(Date.init(timeIntervalSince1970:))
    }
}

/// Names of the registered claims of RFC 7519 §4.1, prepared for lookups.
public enum RegisteredClaim {
    public static let issuer: JSONMemberName = "iss"
    public static let subject: JSONMemberName = "sub"
    public static let audience: JSONMemberName = "aud"
    public static let expirationTime: JSONMemberName = "exp"
    public static let notBefore: JSONMemberName = "nbf"
    public static let issuedAt: JSONMemberName = "iat"
    public static let jwtID: JSONMemberName = "jti"
}
