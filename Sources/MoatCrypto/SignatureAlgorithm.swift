import COpenSSL

/// The signature schemes Moat signs and verifies with.
public enum SignatureAlgorithm: Sendable, Hashable, CaseIterable {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (JOSE `RS256`).
    case rsaPKCS1v15SHA256
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (JOSE `PS256`).
    case rsaPSSSHA256
    /// ECDSA on P-256 with SHA-256 (JOSE `ES256`).
    case ecdsaP256SHA256
    /// ECDSA on P-384 with SHA-384 (JOSE `ES384`).
    case ecdsaP384SHA384
    /// Ed25519 (RFC 8032), the message signed as is (JOSE `EdDSA`).
    case ed25519

    /// True when a key of `kind` can make or check this algorithm's signatures.
    public func fits(_ kind: KeyKind) -> Bool {
        switch (self, kind) {
        case (.rsaPKCS1v15SHA256, .rsa), (.rsaPSSSHA256, .rsa): true
        case (.ecdsaP256SHA256, .ec(.p256)), (.ecdsaP384SHA384, .ec(.p384)): true
        case (.ed25519, .ed25519): true
        default: false
        }
    }

    /// The message digest for `EVP_DigestSign`/`EVP_DigestVerify`; nil for Ed25519, which hashes internally.
    var messageDigest: OpaquePointer? {
        switch self {
        case .rsaPKCS1v15SHA256, .rsaPSSSHA256, .ecdsaP256SHA256: EVP_sha256()
        case .ecdsaP384SHA384: EVP_sha384()
        case .ed25519: nil
        }
    }
}

/// The elliptic curves Moat accepts for ECDSA.
public enum ECCurve: Sendable, Hashable, CaseIterable {
    case p256, p384

    /// Length in bytes of one coordinate, of the order, and of r or s in a raw signature.
    public var coordinateByteCount: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        }
    }

    /// The curve's name in JOSE (`crv`, RFC 7518 §6.2.1.1).
    public var joseName: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        }
    }

    /// The group name OpenSSL 3 reports for keys on this curve.
    var openSSLGroupName: String {
        switch self {
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        }
    }

    var nid: Int32 {
        switch self {
        case .p256: NID_X9_62_prime256v1
        case .p384: NID_secp384r1
        }
    }

    init?(openSSLGroupName name: String) {
        guard let curve = ECCurve.allCases.first(where: { $0.openSSLGroupName == name }) else { return nil }
        self = curve
    }
}

/// The family and size of a key.
public enum KeyKind: Sendable, Hashable {
    case rsa(bits: Int)
    case ec(ECCurve)
    case ed25519
}

/// How an ECDSA signature is encoded.
public enum ECDSASignatureFormat: Sendable {
    /// IEEE P1363: r and s as fixed-length big-endian integers, concatenated. JOSE uses this (RFC 7518 §3.4).
    case raw
    /// ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }`, as X.509 and TLS use.
    case der
}
