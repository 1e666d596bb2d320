import MoatConfig
import MoatDevIdP

/// `moat idp rotate-key`: replaces the dev IdP's signing key in the data folder.
public enum KeyRotationCommand {
    /// Rotates the key at the data folder's `idp-signing-key.pem` and returns the old and new `kid`.
    ///
    /// - Throws: when the data folder has no signing key yet or a file cannot be written.
    public static func run(_ configuration: MoatConfiguration) throws -> (previous: String, current: String) {
        let data = try DataFolder(path: configuration.dataDirectory)
        let (previous, current) = try SigningKeyStore.rotate(at: data.signingKey)
        return (previous.keyID, current.keyID)
    }
}
