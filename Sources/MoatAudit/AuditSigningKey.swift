import Foundation
import MoatCrypto

/// The Ed25519 key that signs audit checkpoints, and the public keys a verifier trusts.
public enum AuditSigningKey {
    /// Loads the PKCS#8 PEM Ed25519 key at `path`, or generates one and writes it with mode 0600.
    ///
    /// - Throws: ``AuditError`` `signing_key_invalid` when the file is readable by
    ///   group or others, is not PEM, or contains a key of another type; the reason names the fix.
    public static func loadOrCreate(at path: String) throws -> PrivateKey {
        if FileManager.default.fileExists(atPath: path) {
            return try load(at: path)
        }
        let key = try PrivateKey.generateEd25519()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            // Another process created it first: use that one.
            if errno == EEXIST { return try load(at: path) }
            throw AuditError(code: "signing_key_invalid", "cannot create \(path): \(String(cString: strerror(errno))); check that the data folder is writable")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(key.pemEncoded().utf8))
            try handle.synchronize()
        } catch {
            throw AuditError(code: "signing_key_invalid", "cannot write \(path): \(error)")
        }
        return key
    }

    /// Loads an existing key; throws as ``loadOrCreate(at:)`` does, and when the file is missing.
    public static func load(at path: String) throws -> PrivateKey {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let mode = attributes?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw AuditError(
                code: "signing_key_invalid",
                "\(path) has mode \(String(mode & 0o777, radix: 8)); the checkpoint signing key must be private: chmod 600 \(path)"
            )
        }
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AuditError(code: "signing_key_invalid", "cannot read \(path) as text; restore the key or move the file away to create a new one")
        }
        let key: PrivateKey
        do {
            key = try PrivateKey(pem: pem)
        } catch {
            throw AuditError(code: "signing_key_invalid", "\(path) is not a PEM private key (\(error)); restore the key or move the file away")
        }
        guard key.kind == .ed25519 else {
            throw AuditError(code: "signing_key_invalid", "\(path) contains a \(key.kind) key; audit checkpoints need an Ed25519 key")
        }
        return key
    }

    /// Reads every PEM `PUBLIC KEY` block in the file at `path`, so a file can contain
    /// the current key and the keys it replaced.
    ///
    /// - Throws: ``AuditError`` `public_key_invalid` when the file is unreadable,
    ///   contains no PEM public key, or contains a key that is not Ed25519.
    public static func loadPublicKeys(from path: String) throws -> [PublicKey] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AuditError(code: "public_key_invalid", "cannot read \(path); pass the file written by `moat audit export-key`")
        }
        let marker = "-----BEGIN PUBLIC KEY-----"
        let blocks = text.components(separatedBy: marker).dropFirst().map { marker + $0 }
        guard !blocks.isEmpty else {
            throw AuditError(code: "public_key_invalid", "\(path) contains no PEM PUBLIC KEY block; pass the file written by `moat audit export-key`")
        }
        return try blocks.enumerated().map { index, block in
            let key: PublicKey
            do {
                key = try PublicKey(pem: block)
            } catch {
                throw AuditError(code: "public_key_invalid", "public key \(index + 1) in \(path) is not valid: \(error)")
            }
            guard key.kind == .ed25519 else {
                throw AuditError(code: "public_key_invalid", "public key \(index + 1) in \(path) is a \(key.kind) key; checkpoints are signed with Ed25519")
            }
            return key
        }
    }

    /// Returns the key id written into checkpoints: lower-case hex SHA-256 of the DER SubjectPublicKeyInfo.
    public static func keyID(_ key: PublicKey) -> String {
        Hex.encode(Digest.sha256(key.derSubjectPublicKeyInfo()))
    }
}
