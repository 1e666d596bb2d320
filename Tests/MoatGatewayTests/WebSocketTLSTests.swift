import Foundation
import MoatCore
import MoatCrypto
import MoatTestSupport
import Testing

@testable import MoatGateway

@Suite("WebSocket and forwarding to an https upstream", .serialized)
struct WebSocketTLSTests {
    /// Runs `body` against a gateway whose upstream is the Python TLS server
    /// with a certificate for `subjectAltName` from a fresh test CA.
    private func withTLSUpstream(
        subjectAltName: String = "IP:127.0.0.1,DNS:localhost", trustTestCA: Bool = true,
        _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        let authority = try TestCertificateAuthority.make()
        defer { authority.remove() }
        let (certificate, key) = try authority.issue(name: "upstream", subjectAltName: subjectAltName)
        let server = try TLSWebSocketUpstream(certificate: certificate, key: key)
        defer { server.stop() }
        // The harness requires a TestUpstream. This one receives nothing, because the TLS server is the upstream.
        let unused = try TestUpstream { _ in }
        let upstreamURL = try require(URL(string: server.url))
        try await withGateway(upstream: unused, configure: { configuration in
            configuration.upstream = upstreamURL
            configuration.upstreamCAFile = trustTestCA ? authority.caFile : nil
        }, body)
    }

    @Test("https WebSocket echo with CA file")
    func echoOverTLS() async throws {
        try await withTLSUpstream { harness in
            let socket = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(socket.head.hasPrefix("HTTP/1.1 101"))
            #expect(socket.head.contains(WebSocketFrames.accept(socket.key)))
            for message in ["hello over tls", "second message"] {
                let echoed = try await socket.roundTrip(Array(message.utf8))
                #expect(String(decoding: echoed, as: UTF8.self) == message)
            }
            // Larger than one 16 KiB TLS record, so the pump must read every record libcurl holds.
            let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
            let echoed = try await socket.roundTrip(large)
            #expect(echoed.count == large.count)
            #expect(echoed == large)
        }
    }

    @Test("https frames after the 101 head arrive")
    func framesInTheSameWriteAsTheHead() async throws {
        try await withTLSUpstream { harness in
            let socket = try await WebSocketClient.upgrade(harness, path: "/ws-burst")
            #expect(socket.head.hasPrefix("HTTP/1.1 101"))
            for expected in ["one", "two", "three"] {
                let payload = try await onThread { try WebSocketClient.readFrame(socket.socket) }
                #expect(String(decoding: payload, as: UTF8.self) == expected)
            }
        }
    }

    /// `/ws-close` ends the upstream's side with a TLS close_notify, `/ws-drop` closes
    /// TCP without one. libcurl 7.88 reads both as the end of the stream, so the tunnel
    /// passes each on as a half-close and logs a normal close.
    @Test("upstream end half-closes the client", arguments: ["/ws-close", "/ws-drop"])
    func upstreamEndReachesClient(path: String) async throws {
        try await withTLSUpstream { harness in
            let socket = try await WebSocketClient.upgrade(harness, path: path)
            #expect(socket.head.hasPrefix("HTTP/1.1 101"))
            let echoed = try await socket.roundTrip(Array("last".utf8))
            #expect(String(decoding: echoed, as: UTF8.self) == "last")
            // The upstream ended its side, and the client's side is still open.
            let rest = try await onThread { try socket.socket.readToEnd() }
            #expect(rest.isEmpty)
            shutdown(socket.socket.descriptor, Int32(SHUT_WR))
            let ended = try await onThread {
                retryingBlocking { harness.logs.entries.contains { $0.message == "websocket closed" || $0.message == "websocket tunnel failed" } }
            }
            #expect(ended)
            let entries = harness.logs.entries.filter { $0.message == "websocket closed" || $0.message == "websocket tunnel failed" }
            #expect(entries.map(\.message) == ["websocket closed"], "\(entries.map(\.metadata))")
        }
    }

    @Test("unknown CA gets 502 naming the certificate")
    func unknownCertificateAuthority() async throws {
        try await withTLSUpstream(trustTestCA: false) { harness in
            let socket = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(socket.head.hasPrefix("HTTP/1.1 502"))
            #expect(socket.head.lowercased().contains("content-type: application/problem+json"))
            let body = try await onThread { try socket.socket.readBody(head: socket.head) }
            #expect(body.contains("\"code\":\"upstream_certificate_invalid\""))
            #expect(body.contains("certificate"))
        }
    }

    @Test("wrong host name gets 502 naming the certificate")
    func wrongHostName() async throws {
        try await withTLSUpstream(subjectAltName: "DNS:other.example") { harness in
            let socket = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(socket.head.hasPrefix("HTTP/1.1 502"))
            let body = try await onThread { try socket.socket.readBody(head: socket.head) }
            #expect(body.contains("\"code\":\"upstream_certificate_invalid\""))
            let logged = harness.logs.entries.filter { $0.metadata["moat.error.code"] == "upstream_certificate_invalid" }
            #expect(logged.count == 1)
            // The reason, with libcurl's own message, goes to the log and not to the client.
            #expect(logged.first?.metadata["moat.error"]?.contains("gateway.upstream_ca_file") == true)
            // libcurl 7.88's reason for a name mismatch.
            #expect(logged.first?.metadata["moat.error"]?.contains("host name") == true)
            #expect(!body.contains("upstream_ca_file"))
        }
    }

    @Test("plain request to https upstream with CA file gets 200")
    func plainRequestOverTLS() async throws {
        try await withTLSUpstream { harness in
            let token = try await harness.agentToken()
            let socket = try BlockingSocket(port: harness.gatewayPort)
            try await onThread { try socket.send("GET /hello HTTP/1.1\r\nHost: app\r\nAuthorization: Bearer \(token)\r\n\r\n") }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 200"))
            let body = try await onThread { try socket.readBody(head: head) }
            #expect(body == "hello over tls")
        }
    }

    @Test("plain request without CA file gets 502 naming the certificate, like an upgrade")
    func plainRequestWithoutCAFile() async throws {
        try await withTLSUpstream(trustTestCA: false) { harness in
            let token = try await harness.agentToken()
            let socket = try BlockingSocket(port: harness.gatewayPort)
            try await onThread { try socket.send("GET /hello HTTP/1.1\r\nHost: app\r\nAuthorization: Bearer \(token)\r\n\r\n") }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 502"))
            let body = try await onThread { try socket.read(until: "}") }
            #expect(body.contains("upstream_certificate_invalid"))
        }
    }

    @Test("plain request with wrong host name logs libcurl's reason")
    func plainRequestWrongHostName() async throws {
        try await withTLSUpstream(subjectAltName: "DNS:other.example") { harness in
            let token = try await harness.agentToken()
            let socket = try BlockingSocket(port: harness.gatewayPort)
            try await onThread { try socket.send("GET /hello HTTP/1.1\r\nHost: app\r\nAuthorization: Bearer \(token)\r\n\r\n") }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 502"))
            let logged = harness.logs.entries.first { $0.metadata["moat.error.code"] == "upstream_certificate_invalid" }
            // libcurl 7.88's own reason for a name mismatch, not only its generic text for the error code.
            #expect(logged?.metadata["moat.error"]?.contains("host name") == true, "\(logged?.metadata ?? [:])")
            // The CA file is set here, so the fix points at the certificate's names instead.
            #expect(logged?.metadata["moat.fix"]?.contains("names the upstream's host") == true)
        }
    }

    @Test("missing or non-PEM CA file fails at start", arguments: ["missing", "not-pem"])
    func invalidCAFile(kind: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ca.pem").path
        if kind == "not-pem" {
            try "not a certificate\n".write(toFile: path, atomically: true, encoding: .utf8)
        }
        let configuration = GatewayConfiguration(
            publicBaseURL: "http://127.0.0.1:8000", upstream: try require(URL(string: "https://127.0.0.1:9443")),
            signIn: nil, bearerPolicy: nil, cookieKey: SecureRandom.bytes(count: 32), upstreamCAFile: path
        )
        let error = #expect(throws: GatewayError.self) {
            _ = try Gateway(configuration: configuration, keys: nil, assertionKey: try PrivateKey.generateEC(curve: .p256))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.reason.contains("gateway.upstream_ca_file") == true)
        #expect(error?.reason.contains(path) == true)
    }
}

/// Polls `condition` every 10 ms for up to 5 s and returns whether it became true.
private func retryingBlocking(_ condition: () -> Bool) -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
