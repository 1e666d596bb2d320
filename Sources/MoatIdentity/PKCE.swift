import Foundation
import MoatCrypto
import MoatJOSE

/// Proof Key for Code Exchange with the S256 method (RFC 7636 §4).
public struct PKCE: Sendable {
    /// 43 characters of base64url from 32 random bytes, inside the 43...128 range of RFC 7636 §4.1.
    public let verifier: String

    public init(verifier: String = SecureRandom.token(byteCount: 32)) {
        self.verifier = verifier
    }

    /// `BASE64URL(SHA256(ASCII(code_verifier)))`, RFC 7636 §4.2.
    public var challenge: String {
        PKCE.challenge(for: verifier)
    }

    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Digest.sha256(Data(verifier.utf8)))
    }

    /// Whether `verifier` has the length and characters RFC 7636 §4.1 allows.
    public static func isWellFormedVerifier(_ verifier: String) -> Bool {
        guard (43...128).contains(verifier.utf8.count) else { return false }
        return verifier.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        }
    }
}
