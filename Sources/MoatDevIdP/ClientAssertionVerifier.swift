import Foundation
import MoatJOSE
import MoatJSON

/// Checks a client assertion (RFC 7523 §3, `private_key_jwt` in OpenID
/// Connect Core §9) against the keys an application registered.
///
/// 1. `client_assertion_type` is the JWT bearer URN.
/// 2. The client is `client_id`, or the assertion's unverified `sub` when
///    `client_id` is absent; it must be registered with key credentials.
/// 3. The header names one of those credentials (`x5t#S256`, `x5t` or `kid`),
///    and a certificate credential is inside its validity period.
/// 4. The JOSE layer verifies the assertion in its fixed order with the
///    credential's key: algorithm RS256, PS256, ES256 or ES384 fitting the
///    key, signature, then `iss` = client id, `aud` = the token endpoint or
///    the issuer, `exp`, `nbf`, `iat`, and `sub` and `jti` present.
/// 5. `sub` is the client id, and `exp` is at most one hour ahead.
///
/// Replay of the `jti` is checked by the caller, which keeps the used ids.
struct ClientAssertionVerifier {
    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Algorithms Entra ID accepts for client assertions, plus ECDSA.
    static let algorithms: [JWSAlgorithm] = [.rs256, .ps256, .es256, .es384]
    /// Longest accepted assertion lifetime, counted from now, in seconds.
    static let maxLifetime: TimeInterval = 3600

    let directory: Directory
    /// Accepted `aud` values: the token endpoint URL and the issuer.
    let audiences: [String]
    let now: Date

    struct Verified {
        let client: Directory.App
        let clientID: String
        let assertionID: String
        let expiresAt: Date
    }

    struct Rejection: Error {
        /// A stable snake_case code, sent as the `suberror`.
        let code: String
        let reason: String
    }

    func verify(type: String?, assertion: String?, clientID formClientID: String?) -> Result<Verified, Rejection> {
        guard type == Self.assertionType else {
            return .failure(Rejection(code: "unsupported_assertion_type", reason: "client_assertion_type must be \(Self.assertionType)"))
        }
        guard let assertion, let jws = try? CompactJWS.parse(assertion) else {
            return .failure(Rejection(code: "malformed_client_assertion", reason: "client_assertion is missing or not a compact JWS"))
        }

        guard let clientID = formClientID ?? Self.unverifiedSubject(jws), let client = directory.app(clientID: clientID) else {
            return .failure(Rejection(code: "unknown_client", reason: "the client named by client_id or the assertion's sub is not registered"))
        }
        guard !client.credentials.isEmpty else {
            return .failure(Rejection(code: "no_key_credentials", reason: "client \(client.name) has no registered key or certificate"))
        }

        guard let credential = client.credentials.first(where: { $0.matches(header: jws.header) }) else {
            return .failure(Rejection(
                code: "unknown_client_key",
                reason: "the assertion header names no key of client \(client.name) in x5t#S256, x5t or kid"))
        }
        if let certificate = credential.certificate, !certificate.isValid(at: now) {
            return .failure(Rejection(code: "certificate_expired", reason: "the certificate credential is outside its validity period"))
        }

        let verified: VerifiedJWT
        do {
            verified = try verifier(for: credential, header: jws.header, clientID: clientID).verify(assertion, now: now)
        } catch {
            return .failure(Rejection(code: error.code.name, reason: "client assertion rejected: \(error.reason)"))
        }

        guard verified.subject == clientID else {
            return .failure(Rejection(code: "subject_mismatch", reason: "the assertion's sub must be the client id"))
        }
        guard let expiresAt = verified.expiresAt, expiresAt.timeIntervalSince(now) <= Self.maxLifetime else {
            return .failure(Rejection(code: "assertion_lifetime_too_long", reason: "the assertion's exp is more than one hour ahead"))
        }
        guard let assertionID = verified.string("jti"), !assertionID.isEmpty else {
            return .failure(Rejection(code: "missing_claim", reason: "the assertion has no jti"))
        }
        return .success(Verified(client: client, clientID: clientID, assertionID: assertionID, expiresAt: expiresAt))
    }

    /// Builds a verifier holding only the credential's key. The key is paired with the
    /// header's algorithm when that fits it, so the JOSE layer reports an unfit one.
    private func verifier(for credential: Directory.KeyCredential, header: JSONObject, clientID: String) throws(JOSEError) -> JWTVerifier {
        let named = header["alg"]?.stringValue.flatMap(JWSAlgorithm.init(rawValue:))
        let fallback = Self.algorithms.first { $0.fits(credential.publicKey.kind) } ?? .rs256
        let algorithm = named.map { $0.fits(credential.publicKey.kind) ? $0 : fallback } ?? fallback
        let key = try JSONWebKey(publicKey: credential.publicKey, keyID: header["kid"]?.stringValue, algorithm: algorithm)
        var policy = JWTValidationPolicy(
            issuer: clientID, audiences: audiences, allowedAlgorithms: Set(Self.algorithms), requiredClaims: ["sub", "jti"])
        // MSAL sends the registered certificate again in x5c; only that exact certificate is tolerated.
        policy.pinnedCertificate = credential.certificate?.derEncoded
        return JWTVerifier(keySet: try JSONWebKeySet(keys: [key]), policy: policy)
    }

    /// Returns the `sub` of an assertion not yet verified, used only to find the client whose keys then verify it.
    private static func unverifiedSubject(_ jws: CompactJWS) -> String? {
        guard let claims = try? JSONValue.parse(jws.payload) else { return nil }
        return claims["sub"]?.stringValue
    }
}
