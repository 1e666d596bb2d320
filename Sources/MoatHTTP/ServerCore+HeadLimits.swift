import Foundation

/// The server's own check of ``HTTPServerConfiguration/maxHeaderBytes``.
///
/// libmicrohttpd rejects a head that does not fit its per-connection memory
/// pool with its own HTML page, or closes the connection when not even that
/// fits. So the pool is sized well above the limit (see
/// ``HTTPServer/connectionMemoryLimit(maxHeaderBytes:)``), and a head between
/// the limit and the pool size gets a problem details response from here.
extension ServerCore {
    /// Returns a 414 problem when the request line is larger than the
    /// configured limit, a 431 problem when the whole head is, or else nil.
    func headSizeRejection(_ context: ConnectionContext, fieldBytes: Int) -> ProblemDetails? {
        headSizeRejection(method: context.method, target: context.target, fieldBytes: fieldBytes)
    }

    /// ``headSizeRejection(_:fieldBytes:)`` for a head known by its parts;
    /// `fieldBytes` counts `name: value` and CRLF for each field.
    func headSizeRejection(method: String, target: String, fieldBytes: Int) -> ProblemDetails? {
        let limit = configuration.maxHeaderBytes
        // "METHOD SP target SP HTTP/1.1 CRLF" (RFC 9112 §3).
        let requestLineBytes = method.utf8.count + target.utf8.count + " HTTP/1.1\r\n".utf8.count + 1
        if requestLineBytes > limit {
            return Self.requestLineTooLong(size: "\(requestLineBytes) bytes", limit: limit)
        }
        let headBytes = requestLineBytes + fieldBytes + 2
        if headBytes > limit {
            return Self.headTooLarge(size: "\(headBytes) bytes", limit: limit)
        }
        return nil
    }

    /// Returns the 414 problem for a request line of `size`, such as "2000 bytes".
    static func requestLineTooLong(size: String, limit: Int) -> ProblemDetails {
        ProblemDetails(
            status: 414, code: "uri_too_long", title: "URI Too Long",
            detail: "the request line is \(size) but this server accepts at most \(limit); shorten the target, for example by moving query parameters into a POST body"
        )
    }

    /// Returns the 431 problem for a request head of `size`, such as "20058 bytes".
    static func headTooLarge(size: String, limit: Int) -> ProblemDetails {
        ProblemDetails(
            status: 431, code: "header_fields_too_large", title: "Request Header Fields Too Large",
            detail: "the request head is \(size) but this server accepts at most \(limit); send fewer or shorter header fields (cookies and Authorization tokens are the usual cause)"
        )
    }
}
