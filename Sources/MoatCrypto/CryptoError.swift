import COpenSSL

/// A failed cryptographic operation: a stable machine ``code`` and a human
/// ``reason``. Errors compare equal by code only, so tests and callers can
/// match on the kind of failure without depending on message text.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A closed set of failure kinds, compared by their snake_case name.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Key material is malformed, off the curve, or fails OpenSSL's checks.
        public static let invalidKey = Code("invalid_key")
        /// The key type, curve or size is one Moat does not accept (for example RSA under 2048 bits).
        public static let unsupportedKey = Code("unsupported_key")
        /// PEM text could not be decoded into a key of the expected kind.
        public static let invalidPEM = Code("invalid_pem")
        /// The signature algorithm does not fit the key (for example ES256 with an RSA key).
        public static let algorithmMismatch = Code("algorithm_mismatch")
        /// An argument has the wrong size, such as an AES key that is not 32 bytes.
        public static let invalidArgument = Code("invalid_argument")
        /// AES-GCM decryption failed: the box was tampered with, truncated, or the key or associated data differ.
        public static let authenticationFailed = Code("authentication_failed")
        /// OpenSSL reported an internal failure; the reason carries its error string.
        public static let operationFailed = Code("operation_failed")
    }

    public let code: Code
    public let reason: String

    public init(code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.name): \(reason)" }

    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool { lhs.code == rhs.code }

    /// An error for a failed OpenSSL call, with OpenSSL's first queued error
    /// appended; the queue is emptied so later calls start clean.
    static func openSSL(_ code: Code, _ reason: String) -> CryptoError {
        let detail = OpenSSLErrorQueue.drain()
        return CryptoError(code: code, reason: detail.isEmpty ? reason : "\(reason) (OpenSSL: \(detail))")
    }
}

/// OpenSSL's per-thread error queue.
enum OpenSSLErrorQueue {
    /// Returns the oldest queued error as text and clears the queue.
    static func drain() -> String {
        let first = ERR_get_error()
        ERR_clear_error()
        guard first != 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(first, &buffer, buffer.count)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
