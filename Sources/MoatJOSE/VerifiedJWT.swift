import Foundation
import MoatCore
import MoatJSON

/// A JWT whose signature and claims passed ``JWTVerifier``.
public struct VerifiedJWT: Sendable {
    /// The protected header, decoded on each read.
    public var header: JSONObject { headerIndex.object() }
    /// The protected header, validated, whose members are decoded only when read.
    public let headerIndex: JSONObjectIndex
    /// The claim set, validated as strict JSON, whose members are decoded only when read.
    public let claimIndex: JSONObjectIndex
    /// ``claims`` once built, so that repeated reads decode the claim set once.
    private let decodedClaims: LockedValue<JSONObject?>

    public init(header: JSONObject, claims: JSONObject) {
        self.headerIndex = JSONObjectIndex(header)
        self.claimIndex = JSONObjectIndex(claims)
        self.decodedClaims = LockedValue(claims)
    }

    init(headerIndex: JSONObjectIndex, claimIndex: JSONObjectIndex) {
        self.headerIndex = headerIndex
        self.claimIndex = claimIndex
        self.decodedClaims = LockedValue(nil)
    }

    /// The whole claim set, decoded on first use. Reading single claims
    /// through ``string(_:)``, ``strings(_:)`` or ``claimIndex`` costs less.
    public var claims: JSONObject {
        decodedClaims.withLock { cached in
            if let cached { return cached }
            let object = claimIndex.object()
            cached = object
            return object
        }
    }

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
