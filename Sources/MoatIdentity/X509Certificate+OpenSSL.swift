import COpenSSL
import Foundation
import MoatCrypto

/// An owned OpenSSL `X509`, freed on deinit.
final class OpenSSLCertificate {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    convenience init(der: Data) throws(CertificateError) {
        let bytes = [UInt8](der)
        let pointer = bytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let certificate = d2i_X509(nil, &cursor, buffer.count)
            guard let certificate, cursor == buffer.baseAddress.map({ $0 + buffer.count }) else {
                X509_free(certificate)
                return nil
            }
            return certificate
        }
        ERR_clear_error()
        guard let pointer else {
            throw CertificateError("bytes are not one DER X.509 certificate")
        }
        self.init(taking: pointer)
    }

    deinit {
        X509_free(pointer)
    }

    func publicKey() throws(CertificateError) -> PublicKey {
        guard let key = X509_get0_pubkey(pointer) else {
            throw CertificateError("certificate has no readable public key")
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(key, &output)
        guard length > 0, let output else {
            throw CertificateError("certificate public key cannot be encoded")
        }
        defer { CRYPTO_free(output, #fileID, #line) }
        do {
            return try PublicKey(derSubjectPublicKeyInfo: Data(bytes: output, count: Int(length)))
        } catch {
            throw CertificateError("certificate public key is rejected: \(error)")
        }
    }

    func validity() throws(CertificateError) -> (Date, Date) {
        guard let start = Self.date(X509_get0_notBefore(pointer)), let end = Self.date(X509_get0_notAfter(pointer)) else {
            throw CertificateError("certificate validity period cannot be read")
        }
        return (start, end)
    }

    func derEncoded() throws(CertificateError) -> Data {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509(pointer, &output)
        guard length > 0, let output else {
            throw CertificateError("certificate cannot be DER-encoded")
        }
        defer { CRYPTO_free(output, #fileID, #line) }
        return Data(bytes: output, count: Int(length))
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    static func digest(_ data: Data, _ type: OpaquePointer?) -> Data {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = [UInt8](data)
        guard EVP_Digest(bytes, bytes.count, &output, &length, type, nil) == 1 else {
            preconditionFailure("EVP_Digest failed: OpenSSL is unusable")
        }
        return Data(output.prefix(Int(length)))
    }
}
