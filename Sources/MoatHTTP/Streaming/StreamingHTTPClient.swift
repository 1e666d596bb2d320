import Foundation
import MoatCore

/// An outbound request for ``StreamingHTTPClient``.
public struct StreamingClientRequest: Sendable {
    /// The method token, for example `GET`.
    public var method: String
    /// The `http` or `https` origin, `scheme://authority`, for example `http://127.0.0.1:8080`.
    public var origin: String
    /// The origin-form request target (RFC 9112 §3.2.1): the path, starting with `/`, and the query.
    public var target: String
    /// The URL of ``origin`` followed by ``target``, parsed on each read, or nil when they do not form a URL.
    /// The loop client reads the two parts without parsing, which saves a URL parse per forwarded request.
    public var url: URL? { URL(string: origin + target) }
    /// Fields to send. `Content-Length`, `Transfer-Encoding` and `Expect` are
    /// ignored: the client frames the body itself.
    public var headers: HTTPHeaders
    /// Seconds allowed for connecting. Default 5.
    public var connectTimeout: TimeInterval
    /// Seconds the upstream may send nothing before the transfer fails. Default 60.
    public var readTimeout: TimeInterval
    /// Responses with a `Content-Length` up to this many bytes are returned
    /// whole, which saves the streaming machinery for small bodies. Default 64 KiB.
    public var bufferLimit: Int
    /// A PEM bundle of CA certificates that replaces the system's trusted CAs for https; nil uses the system store.
    public var caFile: String?
    /// Seconds the connection may stay idle after this exchange and still be
    /// reused. After that it is closed. Default 118, libcurl's default for `CURLOPT_MAXAGE_CONN`.
    public var maxIdleTime: TimeInterval

    /// Creates a request for `url`, split into ``origin`` and ``target``. A fragment is dropped.
    public init(
        method: String, url: URL, headers: HTTPHeaders = HTTPHeaders(),
        connectTimeout: TimeInterval = 5, readTimeout: TimeInterval = 60, bufferLimit: Int = 64 * 1024, caFile: String? = nil,
        maxIdleTime: TimeInterval = 118
    ) {
        let text = url.absoluteString
        self.init(
            method: method, origin: String(Self.schemeAndAuthority(text)), target: Self.requestTarget(text),
            headers: headers, connectTimeout: connectTimeout, readTimeout: readTimeout, bufferLimit: bufferLimit, caFile: caFile,
            maxIdleTime: maxIdleTime)
    }

    /// Creates a request from an origin and an origin-form target, which the caller has checked.
    public init(
        method: String, origin: String, target: String, headers: HTTPHeaders = HTTPHeaders(),
        connectTimeout: TimeInterval = 5, readTimeout: TimeInterval = 60, bufferLimit: Int = 64 * 1024, caFile: String? = nil,
        maxIdleTime: TimeInterval = 118
    ) {
        self.method = method
        self.origin = origin
        self.target = target
        self.headers = headers
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.bufferLimit = bufferLimit
        self.caFile = caFile
        self.maxIdleTime = maxIdleTime
    }
}

/// A response whose head has arrived; its body may still be arriving.
public struct StreamingClientResponse: Sendable {
    /// The body: complete, or still being written by the transfer.
    public enum Body: Sendable {
        case complete(Data)
        case stream(HTTPBodyStream)
    }

    public var status: Int
    /// Fields of the final response; interim 1xx responses are dropped.
    public var headers: HTTPHeaders
    public var body: Body
    /// The `Content-Length` the upstream announced, when it did.
    public var contentLength: Int?
}

/// An HTTP/1.1 client for reverse proxies on libcurl: the request body is
/// read from an ``HTTPRequestBody`` while it arrives, and ``send(_:body:)``
/// returns as soon as the response head has arrived, with the body in an
/// ``HTTPBodyStream`` that the transfer keeps writing.
///
/// Transfers run on a pool of threads that keep their connections to the
/// upstream open. Like ``HTTPClient`` it follows no redirects, ignores proxy
/// environment variables and never decompresses. A transfer stops when the
/// stream's reader goes away (the client disconnected).
public struct StreamingHTTPClient: Sendable {
    let logger: Logger

    public init(logger: Logger = .disabled) {
        self.logger = logger
    }

    /// Sends `request` with `body` (nil for none) and returns the response head.
    ///
    /// - Throws: ``HTTPClientError`` before the head arrived: `invalid_url`,
    ///   `invalid_request`, `connection_failed`, `timed_out`, `cancelled` or
    ///   `transfer_failed`. A failure after the head fails the body stream instead.
    public func send(_ request: StreamingClientRequest, body: HTTPRequestBody?) async throws(HTTPClientError) -> StreamingClientResponse {
        let transfer = try StreamingCurlTransfer(request, body: body)
        let result: Result<StreamingClientResponse, HTTPClientError> = await withCheckedContinuation { continuation in
            transfer.onHead = { continuation.resume(returning: $0) }
            CurlWorkerPool.shared.submit { handle in
                transfer.perform(handle)
            }
        }
        if case .failure(let error) = result {
            logger.debug("upstream request failed", metadata: ["moat.upstream.origin": request.origin, "moat.error.code": error.code.description])
        }
        return try result.get()
    }
}
