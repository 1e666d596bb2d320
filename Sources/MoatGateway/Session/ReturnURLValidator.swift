import Foundation

/// The verdict on a post-login or post-logout return URL.
public enum ReturnURLVerdict: Sendable, Equatable {
    case accepted
    /// The URL must not be used; `reason` names the offending part.
    case rejected(reason: String)
}

/// Decides where the gateway may send a browser after sign-in or sign-out.
///
/// Accepted are same-origin paths and absolute `http`/`https` URLs whose
/// host is on ``allowedHosts``. Redirect payloads hide a foreign origin in
/// forms that browsers repair (`//host`, `/\host`, `/%09/host`, `\\host`,
/// look-alike slashes), so the rules are strict rather than clever:
///
/// 1. Only printable ASCII (0x21 to 0x7E): no spaces, controls or other
///    scripts, which must arrive percent-encoded.
/// 2. No backslash anywhere, and no `//`, `/./` or `/../` anywhere, query included.
/// 3. A path starts with a single `/`.
/// 4. An absolute URL is `http://` or `https://`, then an authority without
///    userinfo (`@`), percent-escapes or characters outside letters, digits,
///    `-`, `.` and one `:port`, whose host and port match ``allowedHosts``.
/// 5. The URL decoded once more must pass the same rules, because a later
///    decoding layer (the browser, the upstream) may decode it again.
public struct ReturnURLValidator: Sendable {
    /// Hosts that absolute return URLs may name: `host` matches that host on
    /// the default port, `host:port` that port, and `.example.com` the domain
    /// and its subdomains on the default port. Compared case-insensitively.
    public var allowedHosts: [String]

    public init(allowedHosts: [String] = []) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
    }

    /// Checks `candidate` and its percent-decoding.
    public func validate(_ candidate: String) -> ReturnURLVerdict {
        let verdict = validateOnce(candidate)
        guard verdict == .accepted else { return verdict }
        guard let decoded = candidate.removingPercentEncoding else {
            return .rejected(reason: "the URL has an invalid percent-escape")
        }
        if decoded != candidate, case .rejected(let reason) = validateOnce(decoded, decodedForm: true) {
            return .rejected(reason: "after percent-decoding, \(reason)")
        }
        return .accepted
    }

    /// Returns `candidate` when it passes ``validate(_:)``, else `fallback`.
    public func safeTarget(_ candidate: String?, fallback: String = "/") -> String {
        guard let candidate, validate(candidate) == .accepted else { return fallback }
        return candidate
    }

    /// Checks one form. The decoded form may contain spaces and non-ASCII
    /// text (`/search?q=a%20b`, `/caf%C3%A9`), which the raw form must escape.
    private func validateOnce(_ candidate: String, decodedForm: Bool = false) -> ReturnURLVerdict {
        guard !candidate.isEmpty else { return .rejected(reason: "the URL is empty") }
        if decodedForm {
            guard candidate.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }) else {
                return .rejected(reason: "the URL contains a control character")
            }
        } else {
            guard candidate.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
                return .rejected(reason: "the URL contains a space, a control character or a non-ASCII character")
            }
        }
        guard !candidate.contains("\\") else { return .rejected(reason: "the URL contains a backslash") }

        let lowered = candidate.lowercased()
        for scheme in ["https://", "http://"] where lowered.hasPrefix(scheme) {
            return validateAbsolute(String(candidate.dropFirst(scheme.count)), defaultPort: scheme == "https://" ? 443 : 80)
        }
        guard candidate.hasPrefix("/") else {
            return .rejected(reason: "the URL is neither a path starting with / nor an http(s) URL")
        }
        return validatePath(candidate)
    }

    private func validatePath(_ path: String) -> ReturnURLVerdict {
        if path.contains("//") {
            return .rejected(reason: "the URL contains //, which browsers read as another host")
        }
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let segments = withoutQuery.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0 == "." || $0 == ".." }) || path.contains("/./") || path.contains("/../") {
            return .rejected(reason: "the URL contains a dot segment")
        }
        return .accepted
    }

    private func validateAbsolute(_ rest: String, defaultPort: Int) -> ReturnURLVerdict {
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd].lowercased()
        guard !authority.isEmpty else { return .rejected(reason: "the URL has no host") }
        guard authority.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == ":" }) else {
            return .rejected(reason: "the host part contains userinfo, an escape or another character outside host names")
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let host = parts.first, !host.isEmpty else {
            return .rejected(reason: "the host part is not host[:port]")
        }
        var port = defaultPort
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (1...65535).contains(parsed) else {
                return .rejected(reason: "the port is not a number from 1 to 65535")
            }
            port = parsed
        }
        guard isAllowed(host: String(host), port: port, defaultPort: defaultPort) else {
            return .rejected(reason: "host \(host) is not on the allowed list")
        }
        let path = String(rest[authorityEnd...])
        guard !path.isEmpty else { return .accepted }
        guard path.hasPrefix("/") else { return .rejected(reason: "the URL has a query or fragment but no path") }
        return validatePath(path)
    }

    private func isAllowed(host: String, port: Int, defaultPort: Int) -> Bool {
        allowedHosts.contains { entry in
            let parts = entry.split(separator: ":", maxSplits: 1)
            let entryHost = String(parts[0])
            let entryPort = parts.count == 2 ? Int(parts[1]) : defaultPort
            guard entryPort == port else { return false }
            if entryHost.hasPrefix(".") {
                // `.example.com` matches example.com and its subdomains, never `badexample.com`.
                return host == String(entryHost.dropFirst()) || host.hasSuffix(entryHost)
            }
            return host == entryHost
        }
    }
}
