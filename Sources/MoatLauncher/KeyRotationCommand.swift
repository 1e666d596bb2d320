import Foundation
import MoatConfig
import MoatDevIdP

/// `moat idp rotate-key`: replaces the dev IdP's signing key in the data folder.
public enum KeyRotationCommand {
    /// Rotates the key at the data folder's `idp-signing-key.pem` and returns the old and new `kid`.
    ///
    /// - Throws: when the data folder has no signing key yet or a file cannot be written.
    public static func run(_ configuration: MoatConfiguration) throws -> (previous: String, current: String) {
        // Rotation needs an existing key, so a mistyped --data path is an error and no folder is created for it.
        let folder = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true).standardizedFileURL
        let signingKey = folder.appendingPathComponent("idp-signing-key.pem")
        guard FileManager.default.fileExists(atPath: signingKey.path) else {
            throw LaunchError(
                "the data folder \(folder.path) has no signing key (idp-signing-key.pem) to rotate; "
                    + "check the --data path, which must be the folder moat idp or moat up uses")
        }
        let data = try DataFolder(path: configuration.dataDirectory)
        let (previous, current) = try SigningKeyStore.rotate(at: data.signingKey)
        return (previous.keyID, current.keyID)
    }
}
