import COpenSSL
import Foundation
import MoatCrypto
import Synchronization

/// Verifies RS256 and PS256 signatures for one key with OpenSSL contexts that
/// are set up once and reused, as `openssl speed` does.
///
/// Setting up an `EVP_MD_CTX` for `EVP_DigestVerify` fetches the digest and
/// builds a key context on every call with OpenSSL 3.0, work that a token
/// validator repeats for the same key thousands of times a second. Here the
/// signing input is hashed with OpenSSL's low-level SHA-256, or in FIPS mode
/// with a pre-fetched EVP SHA-256. Then `EVP_PKEY_verify` runs on a pooled `EVP_PKEY_CTX`
/// whose padding, digest, MGF1 and PSS salt length (pinned to 32 bytes, RFC
/// 7518 §3.5) were set once. The checks are those of `PublicKey.isValidSignature`:
/// the signature must be exactly the modulus length, and OpenSSL compares
/// the full PKCS #1 v1.5 DigestInfo encoding.
///
/// One set of contexts sits in an atomic slot that a verification takes and
/// puts back without a lock, which covers the single-threaded and the
/// lightly loaded case. Only when the slot is empty or already refilled does
/// a verification use the locked list of further idle contexts.
final class RSAVerificationPool: @unchecked Sendable {
    // @unchecked: `idle` is only touched while `lock` is held, the slot is atomic, and each context is used by one thread at a time.
    private let key: OpaquePointer
    private let isPSS: Bool
    private let signatureLength: Int
    /// Contexts ready for reuse without taking `lock`; nil while a verification uses them.
    private let slot = Atomic<UnsafeMutablePointer<Contexts>?>(nil)
    private let lock = NSLock()
    private var idle: [UnsafeMutablePointer<Contexts>] = []

    /// A verification context and a SHA-256 context, checked out together.
    private struct Contexts {
        let verification: OpaquePointer
        /// Reused so that hashing neither allocates a context nor sets up the digest again, as `EVP_Digest` does per call.
        let digest: OpaquePointer

        func free() {
            EVP_PKEY_CTX_free(verification)
            EVP_MD_CTX_free(digest)
        }
    }

    /// Contexts kept for reuse, counting the slot; more concurrent verifications allocate and then free extra ones.
    private static let maxIdle = 16

    /// SHA-256 fetched once; `EVP_sha256()` would be fetched again on every use.
    // nonisolated(unsafe): the fetched EVP_MD is immutable, and OpenSSL 3 allows sharing it between threads.
    nonisolated(unsafe) private static let sha256 = EVP_MD_fetch(nil, "SHA256", nil)
    /// - Returns: nil when `publicKey` is not an RSA key or `algorithm` is not RS256 or PS256.
    init?(publicKey: PublicKey, algorithm: JWSAlgorithm) {
        guard case .rsa(let bits) = publicKey.kind, algorithm == .rs256 || algorithm == .ps256, Self.sha256 != nil else { return nil }
        let der = [UInt8](publicKey.derSubjectPublicKeyInfo())
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else {
            ERR_clear_error()
            return nil
        }
        self.key = key
        self.isPSS = algorithm == .ps256
        self.signatureLength = (bits + 7) / 8
    }

    deinit {
        if let contexts = slot.exchange(nil, ordering: .acquiring) { Self.release(contexts) }
        for contexts in idle { Self.release(contexts) }
        EVP_PKEY_free(key)
    }

    func isValidSignature(_ signature: Data, for message: Data) -> Bool {
        signature.withUnsafeBytes { signature in
            message.withUnsafeBytes { message in isValidSignature(signature, for: message) }
        }
    }

    /// Checks a signature over bytes the caller owns, such as the token's own text, without copying them.
    func isValidSignature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == signatureLength else { return false }
        // The digest lives on the stack, so a verification allocates nothing here.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest -> Bool in
            guard let contexts = checkOut() else { return false }
            defer { checkIn(contexts) }
            guard Self.hash(message, into: digest.baseAddress!, context: contexts.pointee.digest) else {
                ERR_clear_error()
                return false
            }
            let result = EVP_PKEY_verify(
                contexts.pointee.verification, signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count, digest.baseAddress, 32)
            if result != 1 { ERR_clear_error() }
            return result == 1
        }
    }

    /// Writes the SHA-256 of `message` to the 32 bytes at `digest`. The
    /// low-level functions save the EVP provider dispatch. In FIPS mode only
    /// the provider's digest is allowed, so the EVP context is used there.
    private static func hash(_ message: UnsafeRawBufferPointer, into digest: UnsafeMutablePointer<UInt8>, context: OpaquePointer) -> Bool {
        if !OpenSSLProcess.isFIPSEnabled {
            return moat_sha256_direct(message.baseAddress, message.count, digest) == 1
        }
        var digestLength: UInt32 = 0
        return EVP_DigestInit_ex(context, sha256, nil) == 1
            && EVP_DigestUpdate(context, message.baseAddress, message.count) == 1
            && EVP_DigestFinal_ex(context, digest, &digestLength) == 1
            && digestLength == 32
    }

    private func checkOut() -> UnsafeMutablePointer<Contexts>? {
        // Acquiring pairs with the releasing store in checkIn, so the contexts' last writes are visible here.
        if let contexts = slot.exchange(nil, ordering: .acquiring) { return contexts }
        if let contexts = lock.withLock({ idle.popLast() }) { return contexts }
        guard let digest = EVP_MD_CTX_new() else { return nil }
        guard let context = EVP_PKEY_CTX_new(key, nil) else {
            EVP_MD_CTX_free(digest)
            return nil
        }
        let configured =
            EVP_PKEY_verify_init(context) == 1
            && EVP_PKEY_CTX_set_signature_md(context, Self.sha256) == 1
            && (isPSS
                ? EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) == 1
                    && EVP_PKEY_CTX_set_rsa_pss_saltlen(context, RSA_PSS_SALTLEN_DIGEST) == 1
                    && EVP_PKEY_CTX_set_rsa_mgf1_md(context, Self.sha256) == 1
                : EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1)
        guard configured else {
            ERR_clear_error()
            EVP_PKEY_CTX_free(context)
            EVP_MD_CTX_free(digest)
            return nil
        }
        let contexts = UnsafeMutablePointer<Contexts>.allocate(capacity: 1)
        contexts.initialize(to: Contexts(verification: context, digest: digest))
        return contexts
    }

    private func checkIn(_ contexts: UnsafeMutablePointer<Contexts>) {
        if slot.compareExchange(expected: nil, desired: contexts, ordering: .releasing).exchanged { return }
        let kept = lock.withLock { () -> Bool in
            guard idle.count < Self.maxIdle - 1 else { return false }
            idle.append(contexts)
            return true
        }
        if !kept { Self.release(contexts) }
    }

    private static func release(_ contexts: UnsafeMutablePointer<Contexts>) {
        contexts.pointee.free()
        contexts.deinitialize(count: 1)
        contexts.deallocate()
    }
}
