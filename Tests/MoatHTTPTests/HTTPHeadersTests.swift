import Testing

@testable import MoatHTTP

@Suite("HTTPHeaders")
struct HTTPHeadersTests {
    @Test("names match case-insensitively")
    func caseInsensitive() {
        let headers = HTTPHeaders([("Content-Type", "text/plain")])
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["CONTENT-TYPE"] == "text/plain")
    }

    @Test("repeated names keep every value in order")
    func multiValued() {
        var headers = HTTPHeaders()
        headers.add("Set-Cookie", "a=1")
        headers.add("X-Other", "x")
        headers.add("set-cookie", "b=2")
        #expect(headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(headers["Set-Cookie"] == "a=1")
        #expect(headers.map(\.name) == ["Set-Cookie", "X-Other", "set-cookie"])
    }

    @Test("set replaces every value")
    func setReplaces() {
        var headers = HTTPHeaders([("Accept", "a"), ("accept", "b")])
        headers.set("ACCEPT", "c")
        #expect(headers.values(for: "Accept") == ["c"])
        #expect(headers.count == 1)
    }

    @Test("remove drops every value")
    func removeAll() {
        var headers = HTTPHeaders([("Accept", "a"), ("X", "y"), ("accept", "b")])
        headers.remove("Accept")
        #expect(headers["Accept"] == nil)
        #expect(headers.count == 1)
    }

    @Test("names differing beyond ASCII case do not match")
    func nonASCIIFolding() {
        let headers = HTTPHeaders([("X-Straße", "1")])
        #expect(headers["X-STRASSE"] == nil)
    }

    @Test("value with control character is invalid", arguments: ["a\r\nb", "a\nb", "a\rb", "a\u{0}b", "a\u{7F}b", "a\u{1B}b"])
    func controlCharacterRejected(value: String) {
        #expect(HTTPHeaders.validate(name: "X-Test", value: value) != .valid)
    }

    @Test("value with tab, space and UTF-8 is valid")
    func ordinaryValueAccepted() {
        #expect(HTTPHeaders.validate(name: "X-Test", value: "a\tb c é") == .valid)
    }

    @Test("name outside the token set is invalid", arguments: ["", "X Test", "X:Test", "X\r\nTest", "Ünicode"])
    func invalidNameRejected(name: String) {
        #expect(HTTPHeaders.validate(name: name, value: "v") != .valid)
    }
}
