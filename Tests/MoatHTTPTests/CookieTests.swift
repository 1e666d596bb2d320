import Testing

@testable import MoatHTTP

@Suite("Cookies")
struct CookieTests {
    private static func request(cookies: [String]) -> HTTPRequest {
        HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders(cookies.map { ("Cookie", $0) }))
    }

    @Test("Cookie header pairs are parsed and trimmed")
    func parsesPairs() {
        let cookies = Self.request(cookies: ["a=1;  b = 2 ;c="]).cookies
        #expect(cookies == ["a": "1", "b": "2", "c": ""])
    }

    @Test("first occurrence of a name wins across headers")
    func firstWins() {
        let cookies = Self.request(cookies: ["sid=first; sid=second", "sid=third"]).cookies
        #expect(cookies["sid"] == "first")
    }

    @Test("pair without equals sign is skipped")
    func pairWithoutEquals() {
        let cookies = Self.request(cookies: ["flag; a=1"]).cookies
        #expect(cookies == ["a": "1"])
    }

    @Test("empty pairs are skipped")
    func emptyPairs() {
        let cookies = Self.request(cookies: [";a=1;;b=2;", ";", ""]).cookies
        #expect(cookies == ["a": "1", "b": "2"])
    }

    @Test("value may contain equals signs")
    func valueWithEquals() {
        #expect(Self.request(cookies: ["t=YWJj=="]).cookies["t"] == "YWJj==")
    }

    @Test("Set-Cookie defaults are secure")
    func secureDefaults() {
        let cookie = SetCookie(name: "sid", value: "abc")
        #expect(cookie.headerValue == "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax")
    }

    @Test("Set-Cookie renders Max-Age and SameSite")
    func attributes() {
        let cookie = SetCookie(name: "sid", value: "", path: "/app", maxAge: 0, httpOnly: false, sameSite: .strict)
        #expect(cookie.headerValue == "sid=; Path=/app; Max-Age=0; Secure; SameSite=Strict")
    }

    @Test("Set-Cookie never carries a Domain attribute")
    func noDomain() {
        #expect(!SetCookie(name: "sid", value: "v").headerValue.contains("Domain"))
    }

    @Test("setCookie appends a Set-Cookie field")
    func responseSetCookie() {
        var response = HTTPResponse()
        response.setCookie(SetCookie(name: "a", value: "1"))
        response.setCookie(SetCookie(name: "b", value: "2"))
        #expect(response.headers.values(for: "Set-Cookie").count == 2)
    }

    @Test("cookie value outside cookie-octet is invalid", arguments: ["a b", "a;b", "a,b", "a\"b", "a\\b", "a\r\nb", "é", "\"", "\"a", "\"a\"b\""])
    func invalidValue(value: String) {
        #expect(SetCookie.validate(name: "sid", value: value) != .valid)
    }

    @Test("quoted cookie value is valid")
    func quotedValue() {
        #expect(SetCookie.validate(name: "sid", value: "\"abc\"") == .valid)
    }

    @Test("cookie name outside the token set is invalid", arguments: ["", "a b", "a=b", "a;b"])
    func invalidName(name: String) {
        #expect(SetCookie.validate(name: name, value: "v") != .valid)
    }

    @Test("SameSite=None without Secure is invalid")
    func sameSiteNoneNeedsSecure() {
        #expect(SetCookie.validate(name: "sid", value: "v", secure: false, sameSite: .none) != .valid)
    }

    @Test("__Host- prefix requires Secure and Path=/")
    func hostPrefix() {
        #expect(SetCookie.validate(name: "__Host-sid", value: "v", path: "/") == .valid)
        #expect(SetCookie.validate(name: "__Host-sid", value: "v", path: "/app") != .valid)
        #expect(SetCookie.validate(name: "__Host-sid", value: "v", secure: false) != .valid)
    }

    @Test("negative Max-Age is invalid")
    func negativeMaxAge() {
        #expect(SetCookie.validate(name: "sid", value: "v", maxAge: -1) != .valid)
    }

    @Test("path with semicolon is invalid")
    func pathInjection() {
        #expect(SetCookie.validate(name: "sid", value: "v", path: "/; Domain=evil.example") != .valid)
    }
}
