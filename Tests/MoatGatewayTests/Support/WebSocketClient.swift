import Foundation
import MoatTestSupport

/// A client connection to the gateway that sent a WebSocket opening
/// handshake (RFC 6455 §4.1) with an agent's bearer token.
struct WebSocketClient: Sendable {
    let socket: BlockingSocket
    let key: String
    /// The gateway's response head, up to and including the empty line.
    let head: String

    static func upgrade(_ harness: GatewayHarness, path: String) async throws -> WebSocketClient {
        let token = try await harness.agentToken()
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let socket = try BlockingSocket(port: harness.gatewayPort)
        let head = try await onThread {
            try socket.send(
                "GET \(path) HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: \(key)\r\nAuthorization: Bearer \(token)\r\n\r\n"
            )
            return try socket.read(until: "\r\n\r\n")
        }
        return WebSocketClient(socket: socket, key: key, head: head)
    }

    /// Sends `payload` in one masked frame and returns the payload of the next frame received.
    func roundTrip(_ payload: [UInt8]) async throws -> [UInt8] {
        try await onThread {
            try socket.send(Self.frame(payload))
            return try Self.readFrame(socket)
        }
    }

    /// Builds a masked final text frame of any length, as a client sends it (RFC 6455 §5.2 and §5.3).
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x81]
        switch payload.count {
        case ..<126:
            bytes.append(UInt8(payload.count) | 0x80)
        case ..<65536:
            bytes += [126 | 0x80, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            bytes.append(127 | 0x80)
            bytes += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return bytes
    }

    /// Reads one unmasked frame of any length and returns its payload.
    static func readFrame(_ socket: BlockingSocket) throws -> [UInt8] {
        let header = try socket.read(count: 2)
        var length = Int(header[1] & 0x7F)
        if length == 126 {
            length = try socket.read(count: 2).reduce(0) { $0 << 8 | Int($1) }
        } else if length == 127 {
            length = try socket.read(count: 8).reduce(0) { $0 << 8 | Int($1) }
        }
        return try socket.read(count: length)
    }
}

extension BlockingSocket {
    /// Reads the body that follows `head`, framed by its `Content-Length`.
    func readBody(head: String) throws -> String {
        let lengthLine = head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return String(decoding: try read(count: length), as: UTF8.self)
    }
}
