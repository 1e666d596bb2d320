import Foundation

extension StreamingClientRequest {
    /// Returns the origin-form target (RFC 9112 §3.2.1) of an absolute URL's
    /// text: its path, or `/` when it is empty, and its query, without the fragment.
    static func requestTarget(_ absoluteURL: String) -> String {
        var text = absoluteURL
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
