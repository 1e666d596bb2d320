import Foundation

/// An error response body as defined by RFC 9457, served as
/// `application/problem+json`.
///
/// Throw one from an ``HTTPHandler`` to send it. ``code`` is a stable,
/// snake_case machine code that clients may branch on, and ``title`` and
/// ``detail`` are for people. Never put a secret or a raw parser message in
/// ``detail``: it is sent to the client.
public struct ProblemDetails: Error, Sendable {
    /// The HTTP status code, also sent as the member `status`.
    public var status: Int
    /// A short summary of the problem type, the same for every occurrence.
    public var title: String
    /// An explanation of this occurrence, or nil.
    public var detail: String?
    /// A URI naming the problem type; `about:blank` means the status code is the whole description.
    public var type: String = "about:blank"
    /// The stable machine code, for example `invalid_token`.
    public var code: String
    /// A URI naming this occurrence, or nil.
    public var instance: String?
    /// Extra members; a name that collides with a standard member is ignored.
    public var extensions: [String: String] = [:]

    public init(status: Int, code: String, title: String, detail: String? = nil) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    /// Renders the problem as a response with `Cache-Control: no-store`.
    ///
    /// The JSON object has the members `type`, `title`, `status`, `detail`
    /// and `instance` (when set), `code`, `request_id`, and the extensions,
    /// with sorted keys.
    public func response(requestID: String) -> HTTPResponse {
        var members: [String: Any] = extensions
        members["type"] = type
        members["title"] = title
        members["status"] = status
        members["code"] = code
        members["request_id"] = requestID
        if let detail {
            members["detail"] = detail
        }
        if let instance {
            members["instance"] = instance
        }

        // Every member is a String or an Int, which JSONSerialization always accepts.
        let body = (try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/problem+json")
        headers.add("Cache-Control", "no-store")
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}

extension ProblemDetails: CustomStringConvertible {
    public var description: String {
        "ProblemDetails(\(status) \(code)" + (detail.map { ": \($0)" } ?? "") + ")"
    }
}
