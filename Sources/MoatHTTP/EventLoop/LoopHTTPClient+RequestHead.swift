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

    /// Returns the origin-form target (RFC 9112 §3.2.1): the URL's path, or
    /// `/` when it is empty, and its query, without the fragment.
    static func requestTarget(_ url: URL) -> String {
        var text = url.absoluteString
        // A plain byte scan: the generic `firstRange(of:)` was a visible per-request cost.
        return text.withUTF8 { bytes -> String in
            let slash = UInt8(ascii: "/")
            var index = 0
            while index + 2 < bytes.count, !(bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == slash && bytes[index + 2] == slash) {
                index += 1
            }
            guard index + 2 < bytes.count else { return "/" }
            var start = index + 3
            while start < bytes.count, bytes[start] != slash, bytes[start] != UInt8(ascii: "?"), bytes[start] != UInt8(ascii: "#") {
                start += 1
            }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "#") {
                end += 1
            }
            let target = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return start < end && bytes[start] == slash ? target : "/" + target
        }
    }

    /// Returns the part of an absolute URL before its path, query or fragment: `scheme://authority`.
    static func schemeAndAuthority(_ text: String) -> Substring {
        let utf8 = text.utf8
        var index = utf8.startIndex
        var slashes = 0
        // The authority starts after the first "//" and ends at the next "/", "?" or "#".
        while index < utf8.endIndex, slashes < 2 {
            slashes = utf8[index] == UInt8(ascii: "/") ? slashes + 1 : 0
            index = utf8.index(after: index)
        }
        while index < utf8.endIndex, utf8[index] != UInt8(ascii: "/"), utf8[index] != UInt8(ascii: "?"), utf8[index] != UInt8(ascii: "#") {
            index = utf8.index(after: index)
        }
        return text[..<index]
    }
}
