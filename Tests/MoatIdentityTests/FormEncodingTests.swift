import Foundation
import MoatHTTP
import MoatIdentity
import Testing

@Suite("FormEncoding")
struct FormEncodingTests {
    @Test("component encoding follows WHATWG", arguments: [
        ("a b", "a+b"),
        ("a&b=c", "a%26b%3Dc"),
        ("é", "%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("+", "%2B"),
        ("%", "%25"),
        ("~", "%7E"),
        ("azAZ09-._*", "azAZ09-._*"),
        ("api://moat-api/Chat", "api%3A%2F%2Fmoat-api%2FChat"),
    ])
    func componentEncoding(value: String, expected: String) {
        #expect(FormEncoding.encodeComponent(value) == expected)
    }

    @Test("pairs keep their order")
    func pairsKeepOrder() {
        #expect(FormEncoding.encode([("b", "2"), ("a", "1")]) == "b=2&a=1")
    }

    @Test("form body round-trips")
    func roundTripThroughFormDecoder() throws {
        let pairs = [
            ("redirect_uri", "https://app.example/cb?x=1&y=2"),
            ("scope", "openid profile api://moat-api/Chat"),
            ("state", "a=b&c=d"),
            ("name", "Zoë Ålander 日本 😀"),
            ("plus", "1+1=2"),
            ("empty", ""),
            ("key with spaces & symbols=", "value"),
        ]
        let request = HTTPRequest(
            method: "POST",
            target: "/token",
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]),
            body: Data(FormEncoding.encode(pairs).utf8)
        )

        let decoded = try request.formValues()

        #expect(decoded.count == pairs.count)
        for (name, value) in pairs {
            #expect(decoded[name] == value, "field \(name)")
        }
    }

    @Test("query string round-trips")
    func roundTripThroughQueryParser() {
        let value = "https://evil.example/?a=1&b=2 #frag é"
        let request = HTTPRequest(method: "GET", target: "/authorize?" + FormEncoding.encode([("redirect_uri", value)]))

        #expect(request.queryValue("redirect_uri") == value)
        #expect(request.queryItems.count == 1)
    }
}
