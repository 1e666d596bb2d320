import Foundation
import MoatTestSupport

/// Sends hand-written bytes over TCP, for requests a well-behaved client
/// would not produce (bad escapes, oversized heads, chunked bodies).
enum RawHTTP {
    /// Connects to 127.0.0.1:`port`, writes `request`, and reads until the
    /// server closes the connection or ten seconds pass. The limit is generous
    /// because a loaded two-core machine can delay any thread by seconds. Returns what was read.
    ///
    /// The blocking socket calls run on a thread of their own: blocking a thread
    /// of the cooperative pool could starve the handlers under test.
    static func exchange(port: Int, _ request: [UInt8]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, request) })
            }
        }
    }

    static func exchange(port: Int, _ request: String) async throws -> String {
        try await exchange(port: port, Array(request.utf8))
    }

    /// Like ``exchange(port:_:)`` with a 30-second read limit, and also returns
    /// whether the server closed the connection (rather than the read timing out).
    static func exchangeUntilClosed(port: Int, _ request: String) async throws -> (text: String, closedByServer: Bool) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchangeDetailed(port: port, Array(request.utf8), seconds: 30) })
            }
        }
    }

    private static func blockingExchange(port: Int, _ request: [UInt8]) throws -> String {
        try blockingExchangeDetailed(port: port, request, seconds: 10).text
    }

    private static func blockingExchangeDetailed(port: Int, _ request: [UInt8], seconds: Int) throws -> (text: String, closedByServer: Bool) {
        let socket = try BlockingSocket(port: port, timeoutSeconds: seconds)
        // The socket closes when released, which may be right after its last use.
        defer { withExtendedLifetime(socket) {} }
        let descriptor = socket.descriptor

        // The server may close early (for example after a 413), so a failed write is not an error here.
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var closedByServer = false
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                closedByServer = true
            }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), closedByServer)
    }

    /// Returns the status code of the first status line in `response`, or nil.
    static func status(of response: String) -> Int? {
        guard response.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(response.dropFirst(9).prefix(3))
    }
}
