import CCurl

/// A failure of ``HTTPClient/send(_:)``.
///
/// Errors compare by ``code`` only; ``reason`` names the URL host or value
/// and, where one exists, the fix.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable machine code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case invalidURL = "invalid_url"
            case invalidRequest = "invalid_request"
            case connectionFailed = "connection_failed"
            case timedOut = "timed_out"
            case responseTooLarge = "response_too_large"
            case tlsFailed = "tls_failed"
            case certificateInvalid = "certificate_invalid"
            case cancelled
            case transferFailed = "transfer_failed"
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The URL is malformed or its scheme is not `http` or `https`.
        public static let invalidURL = Code(.invalidURL)
        /// The method or a header field is invalid, so nothing was sent.
        public static let invalidRequest = Code(.invalidRequest)
        /// Resolving, connecting, sending or receiving failed.
        public static let connectionFailed = Code(.connectionFailed)
        /// The exchange took longer than ``HTTPClientRequest/timeout``.
        public static let timedOut = Code(.timedOut)
        /// The body exceeded ``HTTPClientRequest/maxResponseBytes``.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The TLS handshake failed for a reason other than the certificate.
        public static let tlsFailed = Code(.tlsFailed)
        /// The server's certificate failed verification: unknown CA, wrong host name or expired.
        public static let certificateInvalid = Code(.certificateInvalid)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// libcurl failed for another reason.
        public static let transferFailed = Code(.transferFailed)

        /// The snake_case code, for example `timed_out`.
        public var description: String { value.rawValue }
    }

    public let code: Code
    public let reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (lhs: HTTPClientError, rhs: HTTPClientError) -> Bool {
        lhs.code == rhs.code
    }

    public var description: String { "\(code): \(reason)" }
}

extension HTTPClientError {
    /// Maps a libcurl result the same way for every transfer: URL, connection,
    /// certificate and TLS failures, and `transfer_failed` for the rest. Each
    /// transfer maps its own cases (timeouts, limits, cancellation) before it calls this.
    init(curlCode code: CURLcode, host: String, detail: String) {
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            self.init(.invalidURL, "libcurl rejected the URL for \(host): \(detail)")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            self.init(.connectionFailed, "connection to \(host) failed: \(detail)")
        case CURLE_PEER_FAILED_VERIFICATION:
            self.init(.certificateInvalid, "the TLS certificate of \(host) failed verification: \(detail)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            self.init(.tlsFailed, "TLS with \(host) failed: \(detail)")
        default:
            self.init(.transferFailed, "request to \(host) failed: \(detail)")
        }
    }
}
