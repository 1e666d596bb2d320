import Foundation
import MoatTestSupport
import Testing

@testable import MoatGateway

@Suite("Upstream answers to a WebSocket upgrade")
struct WebSocketUpstreamResponseTests {
    /// Starts an upstream that reads the upgrade request, sends each string of
    /// `writing` on its own 20 ms apart, then waits for the client to close.
    private func upstream(writing pieces: [String]) throws -> TestUpstream {
        try TestUpstream { connection in
            guard (try? connection.readHead()) != nil else { return }
            for piece in pieces {
                try? connection.write(piece)
                usleep(20_000)
            }
            _ = try? connection.socket.read(count: 1)
        }
    }

    @Test("frame written with the 101 head arrives")
    func frameWithTheHead() async throws {
        let head = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8)
        let frame: [UInt8] = [0x81, 0x05] + Array("early".utf8)
        let upstream = try TestUpstream { connection in
            guard (try? connection.readHead()) != nil else { return }
            try? connection.socket.send(head + frame)
            _ = try? connection.socket.read(count: 1)
        }
        try await withGateway(upstream: upstream) { harness in
            let client = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(client.head.hasPrefix("HTTP/1.1 101"))
            #expect(client.head.contains("Upgrade: websocket"))
            let payload = try await onThread { try WebSocketClient.readFrame(client.socket) }
            #expect(String(decoding: payload, as: UTF8.self) == "early")
        }
    }

    @Test("101 head split across writes is read")
    func headInPieces() async throws {
        let upstream = try upstream(writing: ["HTTP/1.1 10", "1 Switching Protocols\r\nUpgr", "ade: websocket\r\nConnection: Upgrade\r", "\n\r\n"])
        try await withGateway(upstream: upstream) { harness in
            let client = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(client.head.hasPrefix("HTTP/1.1 101"))
            #expect(client.head.contains("Upgrade: websocket"))
        }
    }

    @Test("interim 103 before the 101 is skipped")
    func interimResponseSkipped() async throws {
        let upstream = try upstream(writing: [
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        ])
        try await withGateway(upstream: upstream) { harness in
            let client = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(client.head.hasPrefix("HTTP/1.1 101"))
            #expect(!client.head.contains("Link:"))
        }
    }

    @Test("403 with a chunked body passes back whole")
    func rejectionPassesBack() async throws {
        let upstream = try upstream(writing: [
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-Reason: origin\r\nTransfer-Encoding: chunked\r\n\r\n",
            "7\r\nrefused\r\n", "9\r\n by origi\r\n", "1\r\nn\r\n0\r\n\r\n",
        ])
        try await withGateway(upstream: upstream) { harness in
            let client = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(client.head.hasPrefix("HTTP/1.1 403"))
            #expect(client.head.contains("X-Reason: origin"))
            let body = try await onThread { try client.socket.readBody(head: client.head) }
            #expect(body == "refused by origin")
        }
    }

    /// Responses that break a rule of the upgrade response parser, by name.
    static let invalidHeads: [String: String] = [
        "not HTTP": "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "HTTP/1.0": "HTTP/1.0 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "folded line": "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Note: one\r\n two\r\n\r\n",
        "space before colon": "HTTP/1.1 101 Switching Protocols\r\nUpgrade : websocket\r\n\r\n",
        "line without colon": "HTTP/1.1 101 Switching Protocols\r\nUpgrade websocket\r\n\r\n",
        "oversized head": "HTTP/1.1 101 Switching Protocols\r\n"
            + String(repeating: "X-Padding: \(String(repeating: "a", count: 1000))\r\n", count: 17) + "\r\n",
        "closed before head ended": "HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs",
    ]

    @Test("invalid upstream head gets 502", arguments: invalidHeads.keys.sorted())
    func invalidHead(name: String) async throws {
        let response = try #require(Self.invalidHeads[name])
        let upstream = try TestUpstream { connection in
            guard (try? connection.readHead()) != nil else { return }
            try? connection.write(response)
        }
        try await withGateway(upstream: upstream) { harness in
            let client = try await WebSocketClient.upgrade(harness, path: "/ws")
            #expect(client.head.hasPrefix("HTTP/1.1 502"), "\(name)")
            let body = try await onThread { try client.socket.readBody(head: client.head) }
            #expect(body.contains("\"code\":\"upstream_unreachable\""), "\(name)")
        }
    }
}

@Suite("Upgrade response parser")
struct UpgradeResponseParserTests {
    @Test("byte-by-byte 101 keeps leftover")
    func byteByByte() throws {
        let parser = UpgradeResponseParser(maxHeadBytes: 1024, maxBodyBytes: 1024)
        let bytes = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Empty:\r\n\r\nABC".utf8)
        var switched: (UpgradeResponseHead, [UInt8])?
        for index in bytes.indices {
            if case .switchingProtocols(let head, let leftover) = try parser.consume(bytes[index...index]) {
                switched = (head, leftover)
                break
            }
        }
        let (head, leftover) = try #require(switched)
        #expect(head.status == 101)
        #expect(head.headers["Upgrade"] == "websocket")
        #expect(head.headers["X-Empty"] == "")
        // Byte by byte, the head ends with the final LF, so nothing followed it yet.
        #expect(leftover.isEmpty)
    }

    @Test("leftover follows the head")
    func leftoverInSameRead() throws {
        let parser = UpgradeResponseParser(maxHeadBytes: 1024, maxBodyBytes: 1024)
        let outcome = try parser.consume(Array("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\nFRAME".utf8)[...])
        guard case .switchingProtocols(_, let leftover) = outcome else {
            Issue.record("expected a 101, got \(outcome)")
            return
        }
        #expect(String(decoding: leftover, as: UTF8.self) == "FRAME")
    }

    @Test("body ended by close completes at finish")
    func bodyUntilClose() throws {
        let parser = UpgradeResponseParser(maxHeadBytes: 1024, maxBodyBytes: 1024)
        let outcome = try parser.consume(Array("HTTP/1.1 400 Bad Request\r\nX-A: b  \r\n\r\nno upgrade".utf8)[...])
        guard case .incomplete = outcome else {
            Issue.record("expected an incomplete body, got \(outcome)")
            return
        }
        guard case .final(let head, let body) = try parser.finish() else {
            Issue.record("expected a final response")
            return
        }
        #expect(head.status == 400)
        #expect(head.headers["X-A"] == "b")
        #expect(String(decoding: body, as: UTF8.self) == "no upgrade")
    }

    @Test("oversized rejection body throws")
    func oversizedBody() throws {
        let parser = UpgradeResponseParser(maxHeadBytes: 1024, maxBodyBytes: 4)
        #expect(throws: GatewayError.self) {
            _ = try parser.consume(Array("HTTP/1.1 403 Forbidden\r\nContent-Length: 10\r\n\r\n0123456789".utf8)[...])
        }
    }

    @Test("head ending exactly at the limit is accepted")
    func headAtLimit() throws {
        let head = Array("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n".utf8)
        let atLimit = UpgradeResponseParser(maxHeadBytes: head.count, maxBodyBytes: 0)
        guard case .switchingProtocols = try atLimit.consume(head[...]) else {
            Issue.record("a head of exactly the limit was not accepted")
            return
        }
        let belowLimit = UpgradeResponseParser(maxHeadBytes: head.count - 1, maxBodyBytes: 0)
        #expect(throws: GatewayError.self) { _ = try belowLimit.consume(head[...]) }
    }
}
