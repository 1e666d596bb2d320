import MoatCore

extension HTTPRequest {
    /// The cookies sent in the `Cookie` header fields (RFC 6265 §5.4).
    ///
    /// Pairs are separated by `;`, surrounding spaces are trimmed and a pair
    /// without `=` is skipped. When a name repeats, the first occurrence
    /// wins: user agents send the cookie with the longest path first
    /// (RFC 6265 §5.4 step 2), which is the most specific one.
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for header in headers.values(for: "Cookie") {
            Self.forEachCookiePair(in: header) { pair in
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return }
                let name = String(decoding: pair[..<equals].trimmingSpacesAndTabs(), as: UTF8.self)
                let value = pair[pair.index(after: equals)...].trimmingSpacesAndTabs()
                guard !name.isEmpty, result[name] == nil else { return }
                result[name] = String(decoding: value, as: UTF8.self)
            }
        }
        return result
    }

    /// Calls `body` with the bytes of each `;`-separated pair of a `Cookie`
    /// field value, untrimmed and in order, skipping empty pairs.
    ///
    /// Works on a buffer of the UTF-8 bytes, because a session cookie can be
    /// kilobytes long and splitting `String.UTF8View` was a visible per-request cost.
    public static func forEachCookiePair(in header: String, _ body: (Slice<UnsafeBufferPointer<UInt8>>) -> Void) {
        header.withUTF8Buffer { bytes in
            bytes.forEachSegment(separatedBy: UInt8(ascii: ";"), body)
        }
    }
}

extension Substring {
    /// Removes leading and trailing spaces and tabs (RFC 6265 §5.2 trims WSP).
    func trimmingSpaces() -> String {
        // Works on UTF-8 because cookie headers can be kilobytes long and Character iteration is slow.
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
