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
            // Split on UTF-8 bytes, because a session cookie can be kilobytes long
            // and Character iteration over it was a visible per-request cost.
            for pair in header.utf8.split(separator: UInt8(ascii: ";")) {
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = Self.trimmingSpaces(pair[..<equals])
                let value = Self.trimmingSpaces(pair[pair.index(after: equals)...])
                guard !name.isEmpty, result[name] == nil else { continue }
                result[name] = value
            }
        }
        return result
    }

    /// Returns `bytes` as a string without leading and trailing spaces and tabs (RFC 6265 §5.2 trims WSP).
    static func trimmingSpaces(_ bytes: Substring.UTF8View) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
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
