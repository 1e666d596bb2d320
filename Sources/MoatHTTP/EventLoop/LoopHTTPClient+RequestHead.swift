import Foundation
import MoatCore

extension LoopHTTPClient {
    /// Builds the request head: the request line with the request's target,
    /// the request's fields in their order, and `Content-Length: 0`
    /// for POST, PUT and PATCH, whose body is empty on this path.
    ///
    /// These are the bytes libcurl 7.88 sends for the same request on
    /// ``LoopUpstream``, which is given the fields with its own `Accept: */*`
    /// and `Expect` suppressed. A `Host` field is added from the origin only when
    /// the request has none; the gateway always sets one. `Content-Length`,
    /// `Transfer-Encoding` and `Expect` from the request are dropped because
    /// the client frames the (empty) body itself. Unlike libcurl, the path is
    /// sent as it is, without removing dot segments.
    ///
    /// - Throws: ``HTTPClientError`` `invalid_request` for a method that is
    ///   not a token, a target that is not visible ASCII starting with `/`, or an invalid field.
    static func requestHead(_ request: StreamingClientRequest, origin: LoopHTTPOrigin) throws(HTTPClientError) -> [UInt8] {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(HTTPHeaders.isTokenByte) else {
            throw HTTPClientError(.invalidRequest, "method \(request.method.debugDescription) is not an RFC 9110 token")
        }
        // The target goes into the request line as it is, so a space or control byte would split it.
        let isVisibleTarget = request.target.withUTF8Buffer { bytes in
            bytes.first == UInt8(ascii: "/") && bytes.allSatisfy { (0x21...0x7E).contains($0) }
        }
        guard isVisibleTarget else {
            throw HTTPClientError(.invalidRequest, "request target \(request.target.debugDescription) is not origin-form visible ASCII; percent-encode it")
        }
        if case .invalid(let reason) = request.headers.validate() {
            throw HTTPClientError(.invalidRequest, reason)
        }

        var head: [UInt8] = []
        head.reserveCapacity(1024)
        head.appendUTF8(request.method)
        head.append(0x20)
        head.appendUTF8(request.target)
        head.appendUTF8(" HTTP/1.1\r\n")
        if !request.headers.contains("Host") {
            head.appendUTF8("Host: ")
            head.appendUTF8(origin.hostField)
            head.appendUTF8("\r\n")
        }

        for field in request.headers where !isFramingField(field.name) {
            head.appendUTF8(field.name)
            // libcurl writes an empty value as "Name:" with no space.
            if field.value.isEmpty {
                head.appendUTF8(":\r\n")
            } else {
                head.appendUTF8(": ")
                head.appendUTF8(field.value)
                head.appendUTF8("\r\n")
            }
        }

        switch request.method {
        case "POST", "PUT", "PATCH":
            head.appendUTF8("Content-Length: 0\r\n")
        default:
            break
        }
        head.appendUTF8("\r\n")
        return head
    }

    /// Returns whether `name` is a field the client frames itself: `Content-Length`, `Transfer-Encoding` or `Expect`.
    private static func isFramingField(_ name: String) -> Bool {
        HTTPHeaders.namesMatch(name, "Content-Length") || HTTPHeaders.namesMatch(name, "Transfer-Encoding") || HTTPHeaders.namesMatch(name, "Expect")
    }
}
