import Foundation
import MoatCrypto
import MoatDevIdP

/// The folder where Moat keeps its state: SQLite files, the identity
/// provider's signing key and the web tier's cookie key. It is created with
/// mode 0700, an existing folder that others may read is tightened to 0700,
/// and every secret in it is created with mode 0600.
public struct DataFolder: Sendable {
    public let url: URL

    public init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LaunchError("cannot create the data folder \(url.path): \(error.localizedDescription); choose another with --data")
        }
        let mode = (try? FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? 0
        if mode & 0o077 != 0 {
            do {
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
            } catch {
                throw LaunchError("the data folder \(url.path) is readable by others and cannot be changed to mode 0700; fix its permissions")
            }
        }
    }

    public var documentsDatabase: String { url.appendingPathComponent("documents.sqlite").path }
    public var auditDatabase: String { url.appendingPathComponent("audit.sqlite").path }
    public var signingKey: URL { url.appendingPathComponent("idp-signing-key.pem") }

    /// Opens the dev identity provider's refresh tokens, kept across restarts.
    public func refreshGrantFile() throws -> RefreshGrantFile {
        let path = url.appendingPathComponent("idp-refresh-tokens.sqlite").path
        do {
            return try RefreshGrantFile(path: path)
        } catch {
            throw LaunchError("cannot open \(path): \(error); delete it to start without the refresh tokens issued before")
        }
    }

    /// Reads a random secret of `byteCount` bytes from `name`, creating it (mode 0600) on first use.
    public func secret(named name: String, byteCount: Int) throws -> Data {
        let file = url.appendingPathComponent(name)
        if let existing = FileManager.default.contents(atPath: file.path) {
            guard existing.count == byteCount else {
                throw LaunchError("\(file.path) holds \(existing.count) bytes instead of \(byteCount); delete it to create a new one")
            }
            return existing
        }
        let secret = SecureRandom.bytes(count: byteCount)
        guard FileManager.default.createFile(atPath: file.path, contents: secret, attributes: [.posixPermissions: 0o600]) else {
            throw LaunchError("cannot write \(file.path); check that the data folder is writable")
        }
        return secret
    }
}

/// A start-up failure, with what to change.
public struct LaunchError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
