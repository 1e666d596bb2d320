import Foundation
import MoatTestSupport
import Testing

@testable import MoatGateway

@Suite("Request target forwarding")
struct RequestTargetForwardingTests {
    @Test("plain origin-form targets", arguments: [
        ("/", true), ("/a/b?x=1&y=%2F", true), ("/~user/file.txt;v=1", true), ("//double/", true),
        ("/p|q", false), ("/a#frag", false), ("/caf\u{E9}", false), ("", false), ("*", false), ("relative", false),
    ])
    func plainOriginForm(target: String, isPlain: Bool) {
        #expect(Gateway.isPlainOriginForm(target) == isPlain)
    }

    @Test("IPv6 upstream origins keep brackets", arguments: [
        ("http://[::1]:8080", "http://[::1]:8080", "[::1]:8080"), ("http://[::1]", "http://[::1]", "[::1]"),
        ("http://127.0.0.1:8501/", "http://127.0.0.1:8501", "127.0.0.1:8501"), ("https://app.example", "https://app.example", "app.example"),
    ])
    func upstreamOrigin(url: String, origin: String, authority: String) throws {
        #expect(GatewayConfiguration.origin(of: url) == origin)
        #expect(GatewayConfiguration.authority(of: try #require(URL(string: url))) == authority)
    }

    @Test("targets reach the upstream")
    func targetsReachUpstream() async throws {
        let upstream = try TestUpstream { connection in
            while (try? connection.readHead()) != nil {
                try? connection.respond("ok")
            }
        }
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            // The first three skip the URL parse. The last one is parsed, which escapes its bar and braces.
            let cases: [(sent: String, received: String)] = [
                ("/a/b?x=1&y=%2F", "/a/b?x=1&y=%2F"), ("//double/", "//double/"), ("/p%7Cq?r=%7Bs%7D", "/p%7Cq?r=%7Bs%7D"),
                ("/p|q?r={s}", "/p%7Cq?r=%7Bs%7D"),
            ]
            for (sent, received) in cases {
                let status = try await onThread { () -> Int? in
                    let socket = try BlockingSocket(port: harness.gatewayPort, timeoutSeconds: 30)
                    try socket.send("GET \(sent) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
                    let head = String(decoding: try socket.readToEnd(), as: UTF8.self)
                    return Int(head.split(separator: " ").dropFirst().first ?? "")
                }
                #expect(status == 200, "\(sent)")
                #expect(upstream.receivedHeads.last?.requestLine == "GET \(received) HTTP/1.1", "\(sent)")
            }
        }
    }

    @Test("HEAD length and one Date")
    func headLengthAndDate() async throws {
        let upstream = try TestUpstream { connection in
            while let head = try? connection.readHead() {
                let date = "Date: Tue, 01 Dec 2026 10:00:00 GMT\r\n"
                if head.requestLine.hasPrefix("HEAD ") {
                    try? connection.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000\r\n\(date)\r\n")
                } else {
                    try? connection.respond("ok", extraFields: date)
                }
            }
        }
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            for method in ["HEAD", "GET"] {
                let response = try await onThread { () -> String in
                    let socket = try BlockingSocket(port: harness.gatewayPort, timeoutSeconds: 30)
                    try socket.send("\(method) /file.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
                    return String(decoding: try socket.readToEnd(), as: UTF8.self)
                }
                #expect(response.hasPrefix("HTTP/1.1 200 "), "\(method)")
                #expect(response.components(separatedBy: "\r\nDate: ").count == 2, "\(method): one Date field")
                if method == "HEAD" {
                    #expect(response.contains("\r\nContent-Length: 5000\r\n"))
                    #expect(response.hasSuffix("\r\n\r\n"), "no body after the head")
                } else {
                    #expect(response.hasSuffix("\r\n\r\nok"))
                }
            }
        }
    }
}
