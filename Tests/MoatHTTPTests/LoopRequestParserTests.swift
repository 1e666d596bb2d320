import Foundation
import Testing

@testable import MoatHTTP

@Suite("Event-loop request heads")
struct LoopRequestParserTests {
    /// The verdict a scan should reach, with the head's length for a complete head.
    enum Expected: Sendable, CustomStringConvertible {
        case complete(Int)
        case incomplete
        case handOver

        var description: String {
            switch self {
            case .complete(let count): "complete(\(count))"
            case .incomplete: "incomplete"
            case .handOver: "handOver"
            }
        }
    }

    private static func scan(_ text: String) -> LoopHeadScan {
        let parser = LoopRequestParser()
        return Array(text.utf8).withUnsafeBytes { parser.scan($0) }
    }

    static let plain = "GET /a?b=1 HTTP/1.1\r\nHost: test\r\nAccept: */*\r\n\r\n"

    static let cases: [(String, String, Expected)] = [
        ("plain GET", plain, .complete(plain.utf8.count)),
        ("pipelined second request stays unread", plain + "GET /b HTTP/1.1\r\n", .complete(plain.utf8.count)),
        ("DELETE without a body", "DELETE /x HTTP/1.1\r\nHost: t\r\n\r\n", .complete(31)),
        ("head cut short", "GET / HTTP/1.1\r\nHost: t\r\n", .incomplete),
        ("request line cut short", "GET /ab", .incomplete),
        ("Content-Length body", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab", .handOver),
        ("Content-Length zero", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", .handOver),
        ("chunked body", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .handOver),
        ("other transfer coding", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", .handOver),
        ("WebSocket upgrade", "GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", .handOver),
        ("Expect 100-continue", "GET / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n", .handOver),
        ("HTTP/1.0", "GET / HTTP/1.0\r\nHost: t\r\n\r\n", .handOver),
        ("no Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .handOver),
        ("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .handOver),
        ("absolute-form target", "GET http://t/ HTTP/1.1\r\nHost: t\r\n\r\n", .handOver),
        ("asterisk target", "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", .handOver),
        ("CONNECT", "CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n", .handOver),
        ("bare LF line ends", "GET / HTTP/1.1\nHost: t\n\n", .handOver),
        ("bare LF after a field", "GET / HTTP/1.1\r\nHost: t\nAccept: */*\r\n\r\n", .handOver),
        ("folded field", "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n", .handOver),
        ("space before colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", .handOver),
        ("separator in a field name", "GET / HTTP/1.1\r\nHost: t\r\nX(A): 1\r\n\r\n", .handOver),
        ("control byte in a value", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u{01}b\r\n\r\n", .handOver),
        ("unknown method", "BREW / HTTP/1.1\r\nHost: t\r\n\r\n", .handOver),
        ("garbage", "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}", .handOver),
    ]

    @Test("scan verdict per head", arguments: cases)
    func scanVerdicts(_ name: String, _ input: String, _ expected: Expected) {
        switch (Self.scan(input), expected) {
        case (.complete(let head), .complete(let count)):
            #expect(head.byteCount == count, "\(name)")
        case (.incomplete, .incomplete), (.handOver, .handOver):
            break
        case (let found, _):
            Issue.record("\(name): found \(found), expected \(expected)")
        }
    }

    @Test("complete head fields")
    func completeHeadFields() throws {
        guard case .complete(let head) = Self.scan("HEAD /p%20q?x=1 HTTP/1.1\r\nHost: test\r\nX-Trail: value  \r\nConnection: close\r\n\r\n") else {
            Issue.record("head not complete")
            return
        }
        #expect(head.method == "HEAD")
        #expect(head.target == "/p%20q?x=1")
        #expect(head.headers["host"] == "test")
        #expect(head.headers["X-Trail"] == "value")
        #expect(head.keepAlive == false)
        guard case .complete(let kept) = Self.scan(Self.plain) else {
            Issue.record("plain head not complete")
            return
        }
        #expect(kept.keepAlive)
    }

    @Test("parser reused across heads")
    func parserIsReusable() {
        let parser = LoopRequestParser()
        let inputs = [Self.plain, "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx", "GET /second HTTP/1.1\r\nHost: t\r\n\r\n"]
        var targets: [String] = []
        for input in inputs {
            if case .complete(let head) = Array(input.utf8).withUnsafeBytes({ parser.scan($0) }) {
                targets.append(head.target)
            }
        }
        #expect(targets == ["/a?b=1", "/second"])
    }
}
