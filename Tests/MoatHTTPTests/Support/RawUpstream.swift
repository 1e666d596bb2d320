import Foundation
import MoatCore
import MoatTestSupport

/// An upstream on 127.0.0.1, or on ::1 only, that writes hand-made responses on plain
/// sockets, so a test controls every byte, the framing and when the
/// connection closes.
///
/// Each accepted connection runs `handler` on a thread of its own, with the
/// connection's number (0 for the first) and the socket.
final class RawUpstream: @unchecked Sendable {
    // @unchecked: the listener is closed once, in `stop`, and the counters are LockedValues.
    let port: Int
    private let listener: Int32
    private let acceptedConnections = LockedValue(0)
    private let stopped = LockedValue(false)

    init(ipv6: Bool = false, handler: @escaping @Sendable (_ index: Int, _ socket: BlockingSocket) -> Void) throws {
        let (listener, port) = try openLoopbackSocket(backlog: 64, reuseAddress: true, ipv6: ipv6)
        self.listener = listener
        self.port = port
        let accepted = acceptedConnections
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                let index = accepted.withLock { count in
                    defer { count += 1 }
                    return count
                }
                // Generous, because a loaded two-core machine running the whole suite can stall a test for many seconds.
                let socket = BlockingSocket(descriptor: client, timeoutSeconds: 120)
                Thread.detachNewThread { handler(index, socket) }
            }
        }
    }

    /// Connections accepted so far.
    var acceptedCount: Int { acceptedConnections.current }

    func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit {
        stop()
    }
}

/// Returns the payload of a chunked body (RFC 9112 §7.1), or nil when the framing is broken or incomplete.
func decodeChunked(_ bytes: [UInt8]) -> [UInt8]? {
    var payload: [UInt8] = []
    var index = 0
    while true {
        guard let lineEnd = findCRLF(bytes, from: index) else { return nil }
        let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(sizeText, radix: 16) else { return nil }
        index = lineEnd + 2
        if size == 0 { return payload }
        guard index + size + 2 <= bytes.count else { return nil }
        payload += bytes[index..<index + size]
        index += size + 2
    }
}

private func findCRLF(_ bytes: [UInt8], from start: Int) -> Int? {
    var index = start
    while index + 1 < bytes.count {
        if bytes[index] == 0x0D && bytes[index + 1] == 0x0A { return index }
        index += 1
    }
    return nil
}
