import MoatHTTP

/// The same-origin check that comes before the anti-forgery token check of
/// state-changing requests. It has its own error, so a user who opened the
/// page at another address than the configured one learns which to use.
enum OriginCheck {
    /// Maximum length of a header value echoed in a problem's detail, in characters.
    static let maxEchoedLength = 200

    /// Returns a 403 `origin_mismatch` problem when the request's `Origin`,
    /// or without one its `Referer`, is another origin than `expected`.
    /// Returns nil when it matches or when the request carries neither header,
    /// because the anti-forgery token is the primary defence and some clients send no `Origin`.
    ///
    /// - Parameters:
    ///   - expected: `scheme://host[:port]` the page is served from.
    ///   - setting: the configuration key that sets `expected`, named in the fix.
    static func rejection(_ request: HTTPRequest, expected: String, setting: String) -> ProblemDetails? {
        if let origin = request.headers["Origin"] {
            guard origin != expected else { return nil }
            return mismatch(header: "Origin", value: origin, expected: expected, setting: setting)
        }
        if let referer = request.headers["Referer"] {
            guard referer != expected, !referer.hasPrefix(expected + "/") else { return nil }
            return mismatch(header: "Referer", value: referer, expected: expected, setting: setting)
        }
        return nil
    }

    private static func mismatch(header: String, value: String, expected: String, setting: String) -> ProblemDetails {
        let shown = value.count > maxEchoedLength ? String(value.prefix(maxEchoedLength)) + "…" : value
        return .forbidden(
            code: "origin_mismatch",
            "the request's \(header) \(shown) is not \(expected); open the page at \(expected), or set \(setting) to the address the browser uses"
        )
    }
}
