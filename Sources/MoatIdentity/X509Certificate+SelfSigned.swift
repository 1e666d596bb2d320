import COpenSSL
import Foundation
import MoatCrypto

extension X509Certificate {
    /// Creates a self-signed X.509 v3 certificate for `privateKey`, signed with
    /// SHA-256, with a random 128-bit serial number and subject `CN=commonName`.
    ///
    /// Meant for development and tests, where an application needs a
    /// certificate credential to register; production certificates come from
    /// a certificate authority or a key vault.
    ///
    /// - Parameters:
    ///   - privateKey: an RSA or EC key; Ed25519 keys are rejected because Entra ID does not accept them as credentials.
    ///   - notBefore, notAfter: the validity period.
    public static func selfSigned(privateKey: PrivateKey, commonName: String, notBefore: Date, notAfter: Date) throws(CertificateError) -> X509Certificate {
        switch privateKey.kind {
        case .rsa, .ec: return try make(privateKey, commonName, notBefore, notAfter)
        case .ed25519: throw CertificateError("an Ed25519 key cannot sign a certificate credential; use an RSA or EC key")
        }
    }

    private static func make(_ privateKey: PrivateKey, _ commonName: String, _ notBefore: Date, _ notAfter: Date) throws(CertificateError) -> X509Certificate {
        let key = try loadKey(privateKey)
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else {
            throw CertificateError("could not allocate a certificate")
        }
        let owned = OpenSSLCertificate(taking: certificate)
        let serial = SecureRandom.bytes(count: 16)
        let serialNumber = [UInt8](serial).withUnsafeBufferPointer { buffer in
            BN_bin2bn(buffer.baseAddress, Int32(buffer.count), nil)
        }
        defer { BN_free(serialNumber) }
        guard X509_set_version(certificate, 2) == 1,
              BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate)) != nil,
              ASN1_TIME_set(X509_getm_notBefore(certificate), time_t(notBefore.timeIntervalSince1970)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(certificate), time_t(notAfter.timeIntervalSince1970)) != nil,
              X509_set_pubkey(certificate, key) == 1,
              let name = X509_get_subject_name(certificate),
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
              X509_set_issuer_name(certificate, name) == 1,
              X509_sign(certificate, key, EVP_sha256()) > 0
        else {
            ERR_clear_error()
            throw CertificateError("could not build a self-signed certificate for CN=\(commonName)")
        }
        return try X509Certificate(derEncoded: try owned.derEncoded())
    }

    /// Reads the key back through its PKCS#8 PEM, because the crypto layer keeps its `EVP_PKEY` private.
    private static func loadKey(_ privateKey: PrivateKey) throws(CertificateError) -> OpaquePointer {
        let pem = Array(privateKey.pemEncoded().utf8)
        let key = pem.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else {
            ERR_clear_error()
            throw CertificateError("the private key could not be loaded into OpenSSL")
        }
        return key
    }
}
