import Foundation

/// A complete HTTP request as handed to a responder: head, body and the
/// server's bookkeeping (peer address, request id, route parameters).
public struct HTTPRequest: Sendable {
    /// The method token as received, for example `GET` or `POST`.
    public var method: String
    /// The raw request target as received, query included.
    ///
    /// - Warning: The query can carry authorization codes and tokens; log
    ///   ``path`` instead.
    public var target: String
    /// The percent-decoded path without the query.
    ///
    /// The server rejects with 400, before routing, a request whose path has
    /// an invalid percent-escape, decodes to invalid UTF-8 or contains NUL.
    public var path: String
    /// The decoded query items in the order received; names may repeat.
    public var queryItems: [(name: String, value: String)]
    /// The request header fields in the order received.
    public var headers: HTTPHeaders
    /// The request body; empty when the request had none.
    public var body: Data
    /// The peer's IP address as text, for example `127.0.0.1`.
    public var remoteAddress: String
    /// The id carried by every log line and response of this request.
    public var requestID: String
    /// Values of the `:name` segments of the matched route, set by ``Router``.
    public var pathParameters: [String: String] = [:]

    /// Creates a request and parses `path` and ``queryItems`` from `target`.
    ///
    /// A target that ``HTTPServer`` would reject with 400 yields an empty
    /// path and no query items, which no route matches.
    public init(
        method: String,
        target: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: Data = Data(),
        remoteAddress: String = "127.0.0.1",
        requestID: String = RequestID.generate()
    ) {
        let parsed = try? RequestTarget.parse(target)
        self.init(
            method: method, target: target, parsedTarget: parsed ?? RequestTarget(path: "", queryItems: []),
            headers: headers, body: body, remoteAddress: remoteAddress, requestID: requestID
        )
    }

    init(
        method: String,
        target: String,
        parsedTarget: RequestTarget,
        headers: HTTPHeaders,
        body: Data,
        remoteAddress: String,
        requestID: String
    ) {
        self.method = method
        self.target = target
        self.path = parsedTarget.path
        self.queryItems = parsedTarget.queryItems
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }

    /// Returns the value of the first query item named `name`, or nil when absent.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
