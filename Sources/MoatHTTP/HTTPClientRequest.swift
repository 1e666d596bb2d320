import Foundation

/// An outbound request for ``HTTPClient``.
public struct HTTPClientRequest: Sendable {
    /// The method token, for example `GET` or `POST`.
    public var method: String
    /// An `http` or `https` URL; other schemes are rejected.
    public var url: URL
    public var headers: HTTPHeaders
    /// The request body, or nil for none. An empty body is sent with
    /// `Content-Length: 0`.
    public var body: Data?
    /// Limit in seconds for the whole exchange, connecting included. Default 10 s.
    public var timeout: TimeInterval = 10
    /// Largest accepted response body in bytes. Default 1 MiB.
    public var maxResponseBytes: Int = 1 << 20

    public init(
        method: String = "GET",
        url: URL,
        headers: HTTPHeaders = HTTPHeaders(),
        body: Data? = nil,
        timeout: TimeInterval = 10,
        maxResponseBytes: Int = 1 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A complete response received by ``HTTPClient``.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Fields of the final response; those of interim 1xx responses are dropped.
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
