import COpenSSL

/// Sets up an `EVP_MD_CTX` for `EVP_DigestSign`/`EVP_DigestVerify` with the
/// padding each algorithm requires.
enum SignatureContext {
    enum Operation { case sign, verify }

    /// Runs `body` with a context initialized for `algorithm` and `key`, then frees it.
    static func with<T>(
        _ operation: Operation, algorithm: SignatureAlgorithm, key: OpenSSLKey,
        _ body: (OpaquePointer) throws(CryptoError) -> T
    ) throws(CryptoError) -> T {
        guard let context = EVP_MD_CTX_new() else {
            throw CryptoError.openSSL(.operationFailed, "could not allocate a digest context")
        }
        defer { EVP_MD_CTX_free(context) }
        // The key context belongs to `context` and is freed with it.
        var keyContext: OpaquePointer? = nil
        let initialized =
            switch operation {
            case .sign: EVP_DigestSignInit(context, &keyContext, algorithm.messageDigest, nil, key.pointer)
            case .verify: EVP_DigestVerifyInit(context, &keyContext, algorithm.messageDigest, nil, key.pointer)
            }
        guard initialized == 1, let keyContext else {
            throw CryptoError.openSSL(.operationFailed, "could not initialize \(algorithm) for this key")
        }
        try configurePadding(keyContext, algorithm: algorithm)
        return try body(context)
    }

    private static func configurePadding(_ keyContext: OpaquePointer, algorithm: SignatureAlgorithm) throws(CryptoError) {
        switch algorithm {
        case .rsaPKCS1v15SHA256:
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1 else {
                throw CryptoError.openSSL(.operationFailed, "could not select PKCS#1 v1.5 padding")
            }
        case .rsaPSSSHA256:
            // RFC 7518 §3.5: MGF1 with the same hash and a salt as long as the
            // hash. OpenSSL's verify default (auto-detected salt length) would
            // also accept other salt lengths, so the length is pinned.
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1,
                EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, EVP_sha256()) == 1
            else {
                throw CryptoError.openSSL(.operationFailed, "could not configure RSA-PSS parameters")
            }
        case .ecdsaP256SHA256, .ecdsaP384SHA384, .ed25519:
            break
        }
    }
}
