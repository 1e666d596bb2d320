import COpenSSL
import Foundation
import MoatCore
import MoatTestSupport
import MoatHTTP
import Testing

@testable import MoatGateway

@Suite("Proxy streaming")
struct ProxyStreamingTests {
    @Test("SSE event arrives before the upstream finishes")
    func serverSentEventsArriveIncrementally() async throws {
        let release = DispatchSemaphore(value: 0)
        let upstream = try TestUpstream { connection in
            guard (try? connection.readHead()) != nil else { return }
            try? connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            try? connection.writeChunk("data: one\n\n")
            _ = release.wait(timeout: .now() + 15)
            try? connection.writeChunk("data: two\n\n")
            try? connection.write("0\r\n\r\n")
        }
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            let socket = try BlockingSocket(port: harness.gatewayPort)
            try await onThread {
                try socket.send("GET /events HTTP/1.1\r\nHost: app\r\nAccept: text/event-stream\r\nAuthorization: Bearer \(token)\r\n\r\n")
            }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.contains("text/event-stream"))
            // The upstream is still holding back the second event here.
            let first = try await onThread { try socket.read(until: "data: one\n\n") }
            #expect(first.contains("data: one"))
            release.signal()
            let second = try await onThread { try socket.read(until: "data: two\n\n") }
            #expect(second.contains("data: two"))
        }
    }

    @Test("WebSocket echo round-trips")
    func webSocketEchoRoundTrips() async throws {
        let upstream = try TestUpstream { connection in
            guard let head = try? connection.readHead(), let key = head.value("Sec-WebSocket-Key") else { return }
            try? connection.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(WebSocketFrames.accept(key))\r\n\r\n"
            )
            while let payload = try? WebSocketFrames.readFrame(connection.socket) {
                try? connection.socket.send(WebSocketFrames.frame(payload, masked: false))
            }
        }
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let socket = try BlockingSocket(port: harness.gatewayPort)
            try await onThread {
                try socket.send(
                    "GET /ws HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: \(key)\r\nAuthorization: Bearer \(token)\r\n\r\n"
                )
            }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 101"))
            #expect(head.contains(WebSocketFrames.accept(key)))
            for message in ["hello gateway", "second message"] {
                try await onThread { try socket.send(WebSocketFrames.frame(Array(message.utf8), masked: true)) }
                let echoed = try await onThread { try WebSocketFrames.readFrame(socket) }
                #expect(String(decoding: echoed, as: UTF8.self) == message)
            }
        }
    }

    @Test("WebSocket upgrade without credentials gets 401")
    func webSocketNeedsAuthentication() async throws {
        let upstream = try TestUpstream { connection in _ = try? connection.readHead() }
        try await withGateway(upstream: upstream) { harness in
            let socket = try BlockingSocket(port: harness.gatewayPort)
            try await onThread {
                try socket.send("GET /ws HTTP/1.1\r\nHost: app\r\nAccept: text/html\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a2V5a2V5a2V5a2V5a2V5aw==\r\n\r\n")
            }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 401"))
            #expect(upstream.receivedHeads.isEmpty)
        }
    }

    @Test("large upload streams through")
    func largeUploadStreamsThrough() async throws {
        let size = 32 << 20
        let upstreamSawFirstMegabyte = DispatchSemaphore(value: 0)
        let upstream = try TestUpstream { connection in
            guard let head = try? connection.readHead() else { return }
            let length = Int(head.value("Content-Length") ?? "") ?? -1
            var received = 0
            var signalled = false
            while received < length {
                guard let piece = try? connection.socket.read(count: min(65536, length - received)) else { return }
                received += piece.count
                if !signalled, received >= 1 << 20 {
                    signalled = true
                    upstreamSawFirstMegabyte.signal()
                }
            }
            try? connection.respond("received \(received)")
        }
        try await withGateway(upstream: upstream, maxBodyBytes: 1 << 30) { harness in
            let token = try await harness.agentToken()
            let socket = try BlockingSocket(port: harness.gatewayPort)
            let piece = [UInt8](repeating: 0x5A, count: 1 << 20)
            try await onThread {
                try socket.send("PUT /upload HTTP/1.1\r\nHost: app\r\nContent-Type: application/octet-stream\r\nContent-Length: \(size)\r\nAuthorization: Bearer \(token)\r\n\r\n")
                try socket.send(piece)
                try socket.send(piece)
            }
            // 30 MiB are still unsent, so the gateway passed the start on without holding the body.
            let streamed = try await onThread { upstreamSawFirstMegabyte.wait(timeout: .now() + 30) == .success }
            #expect(streamed)
            try await onThread {
                for _ in 2..<(size >> 20) { try socket.send(piece) }
            }
            let reply = try await onThread { try socket.read(until: "received \(size)") }
            #expect(reply.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("chunked upstream response of unknown length passes through")
    func largeChunkedDownloadPassesThrough() async throws {
        let pieces = 64
        let upstream = try TestUpstream { connection in
            guard (try? connection.readHead()) != nil else { return }
            try? connection.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = String(repeating: "x", count: 65536)
            for _ in 0..<pieces { try? connection.writeChunk(chunk) }
            try? connection.write("0\r\n\r\n")
        }
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            let response = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: harness.gatewayURL + "/download")),
                headers: HTTPHeaders([("Authorization", "Bearer \(token)")]), timeout: 30, maxResponseBytes: 8 << 20
            ))
            #expect(response.status == 200)
            #expect(response.body.count == pieces * 65536)
        }
    }

    @Test("unreachable upstream gives 502 problem")
    func unreachableUpstreamIsBadGateway() async throws {
        let upstream = try TestUpstream.refusing()
        try await withGateway(upstream: upstream) { harness in
            let token = try await harness.agentToken()
            let response = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: harness.gatewayURL + "/anything")), headers: HTTPHeaders([("Authorization", "Bearer \(token)")])
            ))
            #expect(response.status == 502)
            #expect(response.headers["Content-Type"] == "application/problem+json")
            #expect(String(decoding: response.body, as: UTF8.self).contains("upstream_unreachable"))
        }
    }

    @Test("silent upstream gives 504 problem")
    func silentUpstreamIsGatewayTimeout() async throws {
        let upstream = try TestUpstream { connection in
            _ = try? connection.readHead()
            Thread.sleep(forTimeInterval: 5)
        }
        try await withGateway(upstream: upstream, configure: { $0.readTimeout = 1 }) { harness in
            let token = try await harness.agentToken()
            let response = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: harness.gatewayURL + "/slow")), headers: HTTPHeaders([("Authorization", "Bearer \(token)")]), timeout: 20
            ))
            #expect(response.status == 504)
            #expect(String(decoding: response.body, as: UTF8.self).contains("upstream_timeout"))
            // The detail names the settings that set the limits, and their values.
            #expect(String(decoding: response.body, as: UTF8.self).contains("gateway.read_timeout 1 s"))
        }
    }

    /// A request with a body goes through libmicrohttpd, which stops polling
    /// the client while the request waits for the upstream.
    @Test("leaving client cancels upload exchange")
    func clientLeavingUploadCancelsUpstream() async throws {
        let arrived = LockedValue(false)
        let upstreamSawClose = LockedValue(false)
        let upstream = try TestUpstream { connection in
            guard let head = try? connection.readHead(),
                  (try? connection.socket.read(count: Int(head.value("Content-Length") ?? "") ?? 0)) != nil
            else { return }
            arrived.withLock { $0 = true }
            // Sends no response, like a slow model, so only the gateway closing the connection ends this read.
            if let rest = try? connection.socket.readToEnd(), rest.isEmpty {
                upstreamSawClose.withLock { $0 = true }
            }
        }
        try await withGateway(upstream: upstream, configure: { $0.readTimeout = 60 }) { harness in
            let token = try await harness.agentToken()
            do {
                let socket = try BlockingSocket(port: harness.gatewayPort)
                try await onThread {
                    try socket.send(
                        "POST /api/chat HTTP/1.1\r\nHost: app\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                            + "Authorization: Bearer \(token)\r\n\r\n{}"
                    )
                }
                #expect(await eventually { arrived.current })
            }
            #expect(await eventually { upstreamSawClose.current })
            let aborted = await eventually {
                harness.logs.entries.contains {
                    $0.message == "request aborted" && $0.metadata["moat.http.path"] == "/api/chat" && $0.metadata["moat.http.termination"] == "client_abort"
                }
            }
            #expect(aborted)
        }
    }
}

/// The few WebSocket framing steps the echo test needs (RFC 6455 §5.2).
enum WebSocketFrames {
    /// `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2).
    static func accept(_ key: String) -> String {
        let input = Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)
        var digest = [UInt8](repeating: 0, count: 20)
        _ = SHA1(input, input.count, &digest)
        return Data(digest).base64EncodedString()
    }

    /// A final text frame; clients must mask (RFC 6455 §5.3).
    static func frame(_ payload: [UInt8], masked: Bool) -> [UInt8] {
        precondition(payload.count < 126, "test frames are short")
        var bytes: [UInt8] = [0x81, UInt8(payload.count) | (masked ? 0x80 : 0)]
        guard masked else { return bytes + payload }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return bytes
    }

    /// Reads one short frame and returns its unmasked payload.
    static func readFrame(_ socket: BlockingSocket) throws -> [UInt8] {
        let header = try socket.read(count: 2)
        let masked = header[1] & 0x80 != 0
        let length = Int(header[1] & 0x7F)
        let mask = masked ? try socket.read(count: 4) : []
        let payload = try socket.read(count: length)
        return masked ? payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } : payload
    }
}
