/// A failure to write, read or verify the audit log.
///
/// `code` is one of a closed set of snake_case strings:
/// - `invalid_configuration`: an option is out of range (the reason names it).
/// - `audit_log_missing`: no file at the path given.
/// - `audit_log_unreadable`: the file is not an audit log or cannot be opened.
/// - `audit_write_failed`: a record could not be committed (disk full, lock timeout, closed log).
/// - `signing_key_invalid`: the checkpoint signing key file is not a usable Ed25519 key.
/// - `public_key_invalid`: a file of trusted public keys holds no usable Ed25519 key.
/// - `anchor_invalid`: an anchor file holds no valid checkpoint line.
/// - `invalid_query`: a search filter is malformed.
public struct AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let reason: String

    public init(code: String, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
