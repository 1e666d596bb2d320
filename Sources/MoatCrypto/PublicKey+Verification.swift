import COpenSSL
import Foundation

extension PublicKey {
    /// Checks `signature` over `message` with OpenSSL's `EVP_DigestVerify`.
    ///
    /// Some inputs are rejected before OpenSSL sees them:
    /// - an algorithm that does not fit the key;
    /// - an RSA signature that is not exactly the modulus length;
    /// - a raw ECDSA signature that is not exactly 64 (P-256) or 96 (P-384) bytes;
    /// - a DER ECDSA signature that is not strict DER;
    /// - an ECDSA r or s outside 1...n-1.
    ///
    /// High-S ECDSA signatures are valid, as in standard ECDSA, so signature
    /// bytes must never serve as a unique token identifier.
    ///
    /// - Parameter ecdsaFormat: encoding of ECDSA signatures; default ``ECDSASignatureFormat/raw`` as in JOSE.
    public func isValidSignature(
        _ signature: some DataProtocol, for message: some DataProtocol,
        algorithm: SignatureAlgorithm, ecdsaFormat: ECDSASignatureFormat = .raw
    ) -> Bool {
        guard algorithm.fits(kind) else { return false }
        let received = [UInt8](signature)
        let signatureForOpenSSL: [UInt8]
        switch kind {
        case .ec(let curve):
            switch ecdsaFormat {
            case .raw:
                guard let der = ECDSASignature.derFromRaw(received, curve: curve) else { return false }
                signatureForOpenSSL = der
            case .der:
                guard ECDSASignature.rawFromDER(received, curve: curve) != nil else { return false }
                signatureForOpenSSL = received
            }
        case .rsa(let bits):
            guard received.count == (bits + 7) / 8 else { return false }
            signatureForOpenSSL = received
        case .ed25519:
            guard received.count == 64 else { return false }
            signatureForOpenSSL = received
        }
        let input = [UInt8](message)
        let verified = try? SignatureContext.with(.verify, algorithm: algorithm, key: key) { context in
            signatureForOpenSSL.withUnsafeBufferPointer { signatureBuffer in
                input.withUnsafeBufferPointer { messageBuffer in
                    EVP_DigestVerify(
                        context, signatureBuffer.baseAddress, signatureBuffer.count,
                        messageBuffer.baseAddress, messageBuffer.count)
                }
            }
        }
        // A failed check leaves entries in OpenSSL's per-thread error queue.
        ERR_clear_error()
        return verified == 1
    }
}
