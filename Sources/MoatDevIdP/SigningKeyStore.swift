import Foundation
import MoatCrypto
import MoatJOSE

/// Loads the identity provider's RS256 signing key from a PEM file, creating
/// a 2048-bit key with mode 0600 when the file does not exist, so that tokens
/// stay valid across restarts.
public enum SigningKeyStore {
    public static func loadOrCreate(at url: URL) throws -> JWTSigner {
        let fileManager = FileManager.default
        let privateKey: PrivateKey
        if fileManager.fileExists(atPath: url.path) {
            let pem = try String(contentsOf: url, encoding: .utf8)
            privateKey = try PrivateKey(pem: pem)
        } else {
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            privateKey = try PrivateKey.generateRSA(bits: 2048)
            let created = fileManager.createFile(
                atPath: url.path, contents: Data(privateKey.pemEncoded().utf8), attributes: [.posixPermissions: 0o600]
            )
            guard created else {
                throw DirectoryError("cannot create signing key file \(url.path); check that its folder is writable")
            }
        }
        return try signer(for: privateKey)
    }

    /// A signer whose `kid` is derived from the public key, so it changes only when the key does.
    public static func signer(for privateKey: PrivateKey) throws -> JWTSigner {
        let publicPEM = privateKey.publicKey.pemEncoded()
        let keyID = String(Base64URL.encode(Digest.sha256(Data(publicPEM.utf8))).prefix(22))
        return try JWTSigner(privateKey: privateKey, algorithm: .rs256, keyID: keyID)
    }
}
