import Foundation
import MoatCore

/// A request target split into its decoded path and query items.
///
/// Only origin-form targets (`/path?query`, RFC 9112 §3.2.1) and the
/// asterisk-form `*` are accepted, because Moat serves no proxy requests.
struct RequestTarget: Sendable {
    var path: String
    var queryItems: [(name: String, value: String)]

    /// The reason a target was rejected. The server replies to each with a 400 problem.
    struct Rejection: Error, Equatable {
        var reason: String
    }

    /// Parses `target`, decoding percent-escapes in the path and the query.
    ///
    /// - Throws: ``Rejection`` when the target is not origin-form, contains an
    ///   invalid percent-escape, or decodes to invalid UTF-8 or to a NUL.
    static func parse(_ target: String) throws(Rejection) -> RequestTarget {
        if target == "*" {
            return RequestTarget(path: "*", queryItems: [])
        }
        guard target.hasPrefix("/") else {
            throw Rejection(reason: "request target must start with \"/\"")
        }

        // Most targets are a plain path, which decodes to itself. Splitting and
        // decoding them anyway showed in the gateway's per-request profile.
        let isPlainPath = target.withUTF8Buffer { bytes in
            !bytes.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == 0 }
        }
        if isPlainPath {
            return RequestTarget(path: target, queryItems: [])
        }

        // A fragment never reaches a server (RFC 9110 §4.2.1); drop it if a client sent one.
        let withoutFragment = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = try decode(parts[0], plusIsSpace: false, part: "path")
        let query = parts.count > 1 ? try parseQuery(parts[1]) : []
        return RequestTarget(path: path, queryItems: query)
    }

    /// Splits `query` on `&` and each item on its first `=`, decoding both
    /// sides as application/x-www-form-urlencoded (`+` is a space).
    static func parseQuery(_ query: Substring) throws(Rejection) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(pair[0], plusIsSpace: true, part: "query")
            let value = pair.count > 1 ? try decode(pair[1], plusIsSpace: true, part: "query") : ""
            items.append((name: name, value: value))
        }
        return items
    }

    /// Decodes `%HH` escapes strictly: a `%` not followed by two hex digits,
    /// bytes that are not UTF-8 and a decoded NUL are all rejected.
    static func decode(_ encoded: Substring, plusIsSpace: Bool, part: String) throws(Rejection) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var iterator = encoded.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw Rejection(reason: "\(part) contains a \"%\" that is not followed by two hex digits")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard !bytes.contains(0) else {
            throw Rejection(reason: "\(part) decodes to a NUL byte")
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw Rejection(reason: "\(part) does not decode to valid UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
