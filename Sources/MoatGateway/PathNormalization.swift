import Foundation

/// Normalises decoded request paths so that access decisions see the path
/// the upstream will serve, never the query or a disguised form.
public enum PathNormalization {
    /// Returns `path` with repeated slashes collapsed and `.` and `..`
    /// segments resolved (RFC 3986 §5.2.4), or nil when `..` climbs above
    /// the root. The input is already percent-decoded.
    public static func normalize(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
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
