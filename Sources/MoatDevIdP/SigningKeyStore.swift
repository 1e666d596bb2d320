import Foundation
import MoatCrypto
import MoatJOSE

/// The identity provider's RS256 signing key in a PEM file, so that tokens
/// stay valid across restarts, and the key that the last rotation replaced.
///
/// Files have mode 0600. A rotation writes the new key to a temporary file
/// and renames it over the key file, so a running provider never reads half
/// a key (see ``DevIdentityProvider/reloadSigningKeyIfChanged()``).
public enum SigningKeyStore {
    /// Loads the key at `url`, creating a 2048-bit key when the file does not exist.
    public static func loadOrCreate(at url: URL) throws -> JWTSigner {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: url.path) {
            return try load(at: url)
        }
        try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let privateKey = try PrivateKey.generateRSA(bits: 2048)
        try writeSecret(privateKey.pemEncoded(), to: url)
        return try signer(for: privateKey)
    }

    /// Loads the key at `url`.
    ///
    /// - Throws: ``DirectoryError`` when the file cannot be read, or the crypto
    ///   layer's error when it is not a valid private key.
    public static func load(at url: URL) throws -> JWTSigner {
        let pem: String
        do {
            pem = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DirectoryError("cannot read signing key file \(url.path): \(error.localizedDescription)")
        }
        return try signer(for: try PrivateKey(pem: pem))
    }

    /// Returns where the key replaced by the last rotation is kept: `NAME.previous.pem` next to `url`.
    public static func previousKeyURL(for url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("previous.pem")
    }

    /// Replaces the key at `url` with a new 2048-bit key and keeps the old one
    /// at ``previousKeyURL(for:)``. Returns the old and the new signer.
    ///
    /// A running `moat idp` started with this file publishes both keys once it
    /// notices the change, signs with the new key after its signing key lead,
    /// and keeps publishing the old key for the overlap window after that.
    ///
    /// - Throws: ``DirectoryError`` when there is no key at `url` yet or a file cannot be written.
    public static func rotate(at url: URL) throws -> (previous: JWTSigner, current: JWTSigner) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DirectoryError("there is no signing key at \(url.path) to rotate; start moat idp with this data folder once")
        }
        let previousPEM = try String(contentsOf: url, encoding: .utf8)
        let previous = try signer(for: try PrivateKey(pem: previousPEM))
        let privateKey = try PrivateKey.generateRSA(bits: 2048)
        try writeSecret(previousPEM, to: previousKeyURL(for: url))
        try writeSecret(privateKey.pemEncoded(), to: url)
        return (previous, try signer(for: privateKey))
    }

    /// A signer whose `kid` is derived from the public key, so it changes only when the key does.
    public static func signer(for privateKey: PrivateKey) throws -> JWTSigner {
        let publicPEM = privateKey.publicKey.pemEncoded()
        let keyID = String(Base64URL.encode(Digest.sha256(Data(publicPEM.utf8))).prefix(22))
        return try JWTSigner(privateKey: privateKey, algorithm: .rs256, keyID: keyID)
    }

    /// Writes `text` with mode 0600 to a temporary file in the same folder, then renames it over `url`.
    private static func writeSecret(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw DirectoryError("cannot create signing key file \(temporary.path); check that its folder is writable")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw DirectoryError("cannot move the new signing key to \(url.path): \(reason)")
        }
    }
}
