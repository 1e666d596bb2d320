import COpenSSL
import Foundation
import MoatCrypto

/// An X.509 certificate used as an application credential, as Microsoft
/// Entra ID registers them: only its public key, thumbprints and validity
/// period matter. No chain or trust is evaluated, because the certificate is
/// trusted by being registered for one application.
public struct X509Certificate: Sendable, Equatable {
    /// The DER encoding, exactly as parsed or generated.
    public let derEncoded: Data
    /// The subject public key.
    public let publicKey: PublicKey
    /// Start and end of the validity period.
    public let notBefore: Date
    public let notAfter: Date

    /// Parses a DER certificate; trailing bytes are rejected.
    ///
    /// - Throws: ``CertificateError`` when the bytes are not one certificate,
    ///   or its key fails the crypto layer's key policy (for example RSA under 2048 bits).
    public init(derEncoded der: Data) throws(CertificateError) {
        let certificate = try OpenSSLCertificate(der: der)
        self.derEncoded = der
        self.publicKey = try certificate.publicKey()
        (self.notBefore, self.notAfter) = try certificate.validity()
    }

    /// Parses the first `CERTIFICATE` block of PEM text.
    public init(pem: String) throws(CertificateError) {
        let blocks = pem.components(separatedBy: "-----BEGIN CERTIFICATE-----")
        guard blocks.count >= 2, let end = blocks[1].range(of: "-----END CERTIFICATE-----") else {
            throw CertificateError("text has no PEM CERTIFICATE block")
        }
        let body = blocks[1][..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)) else {
            throw CertificateError("PEM CERTIFICATE block is not valid base64")
        }
        try self.init(derEncoded: der)
    }

    /// SHA-1 of the DER encoding: the `x5t` header value and the thumbprint Entra ID shows.
    public var sha1Thumbprint: Data { OpenSSLCertificate.digest(derEncoded, EVP_sha1()) }

    /// SHA-256 of the DER encoding: the `x5t#S256` header value (RFC 7515 §4.1.8).
    public var sha256Thumbprint: Data { Digest.sha256(derEncoded) }

    /// The certificate as PEM text.
    public var pemEncoded: String {
        let body = derEncoded.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }

    /// Whether `date` falls inside the validity period.
    public func isValid(at date: Date) -> Bool {
        notBefore <= date && date <= notAfter
    }

    public static func == (lhs: X509Certificate, rhs: X509Certificate) -> Bool {
        lhs.derEncoded == rhs.derEncoded
    }
}

/// A certificate that cannot be parsed, generated or used.
public struct CertificateError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
