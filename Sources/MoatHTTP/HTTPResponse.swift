import Foundation

/// A response produced by a responder.
///
/// The server computes `Content-Length` from ``body`` and ignores a
/// `Content-Length` field set here. It also adds `X-Request-Id` and, unless
/// already set, `X-Content-Type-Options: nosniff`, `Cache-Control: no-store`
/// and `Referrer-Policy: no-referrer`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// A body sent while it is produced; when set, ``body`` is ignored.
    /// Supported by servers created with an ``HTTPStreamingResponder``.
    public var bodyStream: HTTPBodyStream?
    /// The length of ``bodyStream`` in bytes when known, sent as
    /// `Content-Length`; nil sends the stream with chunked framing.
    public var bodyLength: Int?
    /// Takes over the connection after a 101 response, for WebSocket and other
    /// protocol upgrades. Supported by servers created with an ``HTTPStreamingResponder``.
    public var upgradeHandler: HTTPUpgradeHandler?
    /// A description of a failure that produced this response, such as a
    /// handler error; the server logs it at error level and never sends it.
    var failure: String?

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Encodes `value` with `JSONEncoder` (sorted keys) as `application/json`.
    ///
    /// If encoding fails the result is a 500 `internal_error` problem and
    /// the server logs the encoding error.
    public static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return json(data: try encoder.encode(value), status: status)
        } catch {
            var response = ProblemDetails.internalError().response(requestID: "")
            response.failure = "JSON encoding of \(type(of: value)) failed: \(error)"
            return response
        }
    }

    /// Wraps already serialised JSON as `application/json`.
    public static func json(data: Data, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: data)
    }

    /// Wraps `html` as `text/html; charset=utf-8`.
    public static func html(_ html: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/html; charset=utf-8")]), body: Data(html.utf8))
    }

    /// Wraps `text` as `text/plain; charset=utf-8`.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]), body: Data(text.utf8))
    }

    /// Creates a redirect with an empty body. The default 303 makes the client
    /// follow with GET (RFC 9110 §15.4.4).
    public static func redirect(to location: String, status: Int = 303) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Location", location)]))
    }

    /// Appends a `Set-Cookie` field; earlier cookies are kept.
    public mutating func setCookie(_ cookie: SetCookie) {
        headers.add("Set-Cookie", cookie.headerValue)
    }
}
