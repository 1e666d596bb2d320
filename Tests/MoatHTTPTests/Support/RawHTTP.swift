import Foundation

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

    /// Connects to 127.0.0.1:`port` and writes `request`, and returns the open
    /// socket for the caller to close. The connect has completed on return, so
    /// this connection is ahead of any later one in the server's accept queue.
    static func open(port: Int, sending request: String) throws -> Int32 {
        let descriptor = try connected(port: port, timeoutSeconds: 10)
        _ = Array(request.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return descriptor
    }

    private static func blockingExchange(port: Int, _ request: [UInt8]) throws -> String {
        try blockingExchangeDetailed(port: port, request, seconds: 10).text
    }

    private static func blockingExchangeDetailed(port: Int, _ request: [UInt8], seconds: Int) throws -> (text: String, closedByServer: Bool) {
        let descriptor = try connected(port: port, timeoutSeconds: seconds)
        defer { close(descriptor) }

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

    private static func connected(port: Int, timeoutSeconds seconds: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        return descriptor
    }

    /// Returns the status code of the first status line in `response`, or nil.
    static func status(of response: String) -> Int? {
        guard response.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(response.dropFirst(9).prefix(3))
    }
}
