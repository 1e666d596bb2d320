import Testing

@testable import MoatHTTP

@Suite("RequestTarget")
struct RequestTargetTests {
    @Test("path is percent-decoded and the query split off")
    func decodesPath() throws {
        let target = try RequestTarget.parse("/a%20b/caf%C3%A9?x=1")
        #expect(target.path == "/a b/café")
        #expect(target.queryItems.map(\.name) == ["x"])
    }

    @Test("plus is a space in the query but not in the path")
    func plusHandling() throws {
        let target = try RequestTarget.parse("/a+b?q=c+d")
        #expect(target.path == "/a+b")
        #expect(target.queryItems.first?.value == "c d")
    }

    @Test("query keeps repeats, empty values and order")
    func queryItems() throws {
        let target = try RequestTarget.parse("/?b=2&a=1&b=3&flag&=v")
        #expect(target.queryItems.map(\.name) == ["b", "a", "b", "flag", ""])
        #expect(target.queryItems.map(\.value) == ["2", "1", "3", "", "v"])
    }

    @Test("fragment is dropped")
    func fragmentDropped() throws {
        let target = try RequestTarget.parse("/page?x=1#top")
        #expect(target.path == "/page")
        #expect(target.queryItems.first?.value == "1")
    }

    @Test("invalid target is rejected", arguments: ["/a%zz", "/a%4", "/a%", "/a%C3%28", "/a%00b", "/?q=%ff", "http://example.com/", "a/b", ""])
    func invalidRejected(target: String) {
        #expect(throws: RequestTarget.Rejection.self) { try RequestTarget.parse(target) }
    }

    @Test("request built from an invalid target has an empty path")
    func requestFromInvalidTarget() {
        let request = HTTPRequest(method: "GET", target: "/a%zz?x=1")
        #expect(request.path == "")
        #expect(request.queryItems.isEmpty)
    }

    @Test("queryValue returns the first match")
    func queryValue() {
        let request = HTTPRequest(method: "GET", target: "/?a=1&a=2")
        #expect(request.queryValue("a") == "1")
        #expect(request.queryValue("b") == nil)
    }
}
