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
}
