import Foundation
import MoatTestSupport
import MoatCore
import Testing

@testable import MoatHTTP

private func withStreamingServer<Value>(
    configuration: HTTPServerConfiguration = HTTPServerConfiguration(shutdownGracePeriod: 1),
    _ handle: @escaping @Sendable (HTTPRequest, HTTPRequestBody) async -> HTTPResponse,
    _ body: (Int) async throws -> Value
) async throws -> Value {
    let server = HTTPServer(configuration: configuration, streamingResponder: StreamingHandler(handle: handle), logger: .disabled)
    return try await withStarted(server, body)
}

@Suite("Streaming server")
struct StreamingServerTests {
    @Test("streamed body arrives before it ends")
    func streamedBodyArrivesIncrementally() async throws {
        let release = DispatchSemaphore(value: 0)
        try await withStreamingServer({ _, body in
            body.discard()
            return HeldEventStream.response(release: release)
        }) { port in
            let socket = try BlockingSocket(port: port)
            try await onThread { try socket.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n") }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.lowercased().contains("transfer-encoding: chunked"))
            let first = try await onThread { try socket.read(until: "data: first\n\n") }
            #expect(first.contains("data: first"))
            release.signal()
            let rest = try await onThread { try socket.read(until: "0\r\n\r\n") }
            #expect(rest.contains("data: second"))
        }
    }

    @Test("known stream length is sent as Content-Length")
    func streamWithLengthHasContentLength() async throws {
        try await withStreamingServer({ _, body in
            body.discard()
            let stream = HTTPBodyStream()
            stream.write(Data("hello".utf8))
            stream.finish()
            var response = HTTPResponse(status: 200)
            response.bodyStream = stream
            response.bodyLength = 5
            return response
        }) { port in
            let socket = try BlockingSocket(port: port)
            try await onThread { try socket.send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n") }
            let text = String(decoding: try await onThread { try socket.readToEnd() }, as: UTF8.self)
            #expect(text.contains("Content-Length: 5"))
            #expect(text.hasSuffix("\r\n\r\nhello"))
        }
    }

    @Test("upload reaches the handler before it ends")
    func uploadStreamsToHandler() async throws {
        let firstPieceSeen = DispatchSemaphore(value: 0)
        try await withStreamingServer(configuration: HTTPServerConfiguration(maxBodyBytes: 64 << 20, shutdownGracePeriod: 1), { _, body in
            let total: Int = await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    var count = 0
                    var signalled = false
                    while case .data(let data) = body.read(maxBytes: 65536) {
                        count += data.count
                        if !signalled {
                            signalled = true
                            firstPieceSeen.signal()
                        }
                    }
                    continuation.resume(returning: count)
                }
            }
            return .text("\(total)")
        }) { port in
            let socket = try BlockingSocket(port: port)
            let size = 8 << 20
            try await onThread { try socket.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: \(size)\r\n\r\n") }
            let piece = [UInt8](repeating: 0x61, count: 1 << 20)
            try await onThread { try socket.send(piece) }
            // The handler sees bytes while 7 MiB are still unsent, so the body is not held back whole.
            let seen = try await onThread { firstPieceSeen.wait(timeout: .now() + 60) == .success }
            #expect(seen)
            for _ in 1..<8 {
                try await onThread { try socket.send(piece) }
            }
            let reply = try await onThread { try socket.read(until: "\(size)") }
            #expect(reply.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("chunked upload past the limit closes the connection")
    func chunkedUploadOverLimitCloses() async throws {
        try await withStreamingServer(configuration: HTTPServerConfiguration(maxBodyBytes: 1024, shutdownGracePeriod: 1), { _, body in
            _ = try? await body.collect(limit: 1 << 20)
            return .text("read")
        }) { port in
            let socket = try BlockingSocket(port: port)
            let chunk = String(repeating: "b", count: 2048)
            try? await onThread { try socket.send("POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n\(chunk)\r\n0\r\n\r\n") }
            let text = String(decoding: (try? await onThread { try socket.readToEnd() }) ?? [], as: UTF8.self)
            #expect(!text.contains("read"))
        }
    }

    @Test("upgraded connection carries raw bytes both ways")
    func upgradeHandsOverSocket() async throws {
        try await withStreamingServer({ _, body in
            body.discard()
            var response = HTTPResponse(status: 101, headers: HTTPHeaders([("Upgrade", "echo")]))
            response.upgradeHandler = { connection in
                var buffer = [UInt8](repeating: 0, count: 1024)
                while true {
                    let count = recv(connection.socket, &buffer, buffer.count, 0)
                    guard count > 0 else { break }
                    _ = send(connection.socket, buffer, count, Int32(MSG_NOSIGNAL))
                }
                connection.close()
            }
            return response
        }) { port in
            let socket = try BlockingSocket(port: port)
            try await onThread { try socket.send("GET /echo HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n") }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 101"))
            try await onThread { try socket.send("ping-1") }
            let echoed = try await onThread { try socket.read(until: "ping-1") }
            #expect(echoed == "ping-1")
        }
    }

    @Test("response without a stream discards the upload")
    func earlyResponseDiscardsUpload() async throws {
        try await withStreamingServer(configuration: HTTPServerConfiguration(maxBodyBytes: 64 << 20, shutdownGracePeriod: 1), { _, _ in
            ProblemDetails.unauthorized().response(requestID: "")
        }) { port in
            let socket = try BlockingSocket(port: port)
            let size = 4 << 20
            try await onThread {
                try socket.send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: \(size)\r\n\r\n")
                try socket.send([UInt8](repeating: 0x61, count: size))
            }
            let head = try await onThread { try socket.read(until: "\r\n\r\n") }
            #expect(head.hasPrefix("HTTP/1.1 401"))
        }
    }
}
