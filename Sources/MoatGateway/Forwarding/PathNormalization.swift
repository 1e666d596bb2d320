import Foundation

/// Normalises decoded request paths so that access decisions see the path
/// the upstream will serve, never the query or a disguised form.
public enum PathNormalization {
    /// Returns `path` with repeated slashes collapsed and `.` and `..`
    /// segments resolved (RFC 3986 §5.2.4), or nil when `..` climbs above
    /// the root. The input is already percent-decoded.
    public static func normalize(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        // Nearly every request path is already normal, and splitting it was a visible per-request cost.
        if isNormal(path) {
            return path
        }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".":
                continue
            case "..":
                guard !output.isEmpty else { return nil }
                output.removeLast()
            default:
                output.append(segment)
            }
        }
        let joined = "/" + output.joined(separator: "/")
        // A trailing slash is part of the path a server serves, so it stays.
        if path.hasSuffix("/"), joined != "/" {
            return joined + "/"
        }
        return joined
    }

    /// Returns whether a segment of `path` is `.` or `..`, counting the
    /// segments between every pair of slashes.
    static func containsDotSegment(_ path: String) -> Bool {
        segmentLengths(path).contains(where: isDotSegment)
    }

    /// Returns whether `path` starts with `/` and has no empty, `.` or `..`
    /// segment, apart from the empty one after a trailing slash.
    static func isNormal(_ path: String) -> Bool {
        guard path.utf8.first == UInt8(ascii: "/") else { return false }
        // The first segment is the empty one before the leading slash.
        let segments = segmentLengths(path).dropFirst()
        for (offset, segment) in segments.enumerated() {
            let isLast = offset == segments.count - 1
            if segment.length == 0 && !isLast {
                return false
            }
            if isDotSegment(segment) {
                return false
            }
        }
        return true
    }

    private static func isDotSegment(_ segment: (length: Int, dots: Int)) -> Bool {
        segment.dots == segment.length && (segment.length == 1 || segment.length == 2)
    }

    /// Returns the byte length of each `/`-separated segment and how many of its bytes are dots.
    private static func segmentLengths(_ path: String) -> [(length: Int, dots: Int)] {
        var segments: [(length: Int, dots: Int)] = []
        var current = (length: 0, dots: 0)
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                segments.append(current)
                current = (0, 0)
            } else {
                current.length += 1
                if byte == UInt8(ascii: ".") {
                    current.dots += 1
                }
            }
        }
        segments.append(current)
        return segments
    }

    /// Returns whether `path` (decoded) is one of `excluded`: it must already
    /// be in normal form and equal an entry exactly, so `/healthz/../admin`,
    /// `//healthz` and `/healthz;x` are not excluded.
    public static func isExcluded(_ path: String, excluded: [String]) -> Bool {
        guard normalize(path) == path else { return false }
        return excluded.contains(path)
    }

    /// Returns whether `path` is `prefix` or lies below it, segment by segment:
    /// `/admin` covers `/admin` and `/admin/users` but not `/administrator`.
    public static func path(_ path: String, isUnder prefix: String) -> Bool {
        if prefix == "/" { return true }
        let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        return path == trimmed || path.hasPrefix(trimmed + "/")
    }
}
