import CMicroHTTPD
import Foundation
import MoatCore

/// Watches the sockets of suspended libmicrohttpd connections for the client
/// closing its side, on one thread for the whole process.
///
/// libmicrohttpd stops polling a connection while it is suspended, so
/// without this a client that leaves while its request waits for a slow
/// upstream would be noticed only when the response is written. A watch
/// registers the socket for one `EPOLLRDHUP` event (`EPOLLONESHOT`), and
/// `EPOLLHUP` and `EPOLLERR` (a reset) count as well. Incoming bytes do not, so a pipelined request does
/// not end a watch. A client that half-closes after its request counts as
/// gone, as nginx treats it by default.
final class ClientDepartureWatch: @unchecked Sendable {
    // @unchecked: `epoll` is set once; everything else lives in a LockedValue.
    static let shared = ClientDepartureWatch()

    private struct Watches {
        var handlers: [UInt64: @Sendable (UInt64) -> Void] = [:]
        var nextTag: UInt64 = 1
        var threadStarted = false
    }

    private let epoll: Int32
    private let watches = LockedValue(Watches())

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
    }

    /// Starts watching `socket`. When the client has gone, `handler` runs
    /// once with the watch's tag, on the watch thread.
    ///
    /// - Returns: the tag for ``stop(_:socket:)``, or nil when the socket
    ///   cannot be watched. The connection then waits as it would without a watch.
    func start(socket: Int32, logger: Logger, handler: @escaping @Sendable (UInt64) -> Void) -> UInt64? {
        guard epoll >= 0, socket >= 0 else { return nil }
        let (tag, startThread) = watches.withLock { watches -> (UInt64, Bool) in
            let tag = watches.nextTag
            watches.nextTag += 1
            watches.handlers[tag] = handler
            defer { watches.threadStarted = true }
            return (tag, !watches.threadStarted)
        }
        if startThread {
            // The first watch's logger reports a failure of the thread itself.
            let thread = Thread { [self] in run(logger: logger) }
            thread.name = "moat-http-departure"
            thread.start()
        }
        let events = EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
        guard moat_epoll_control(epoll, EPOLL_CTL_ADD, socket, events, tag) == 0 else {
            let reason = String(cString: strerror(errno))
            watches.withLock { _ = $0.handlers.removeValue(forKey: tag) }
            logger.warning("client socket cannot be watched", metadata: ["moat.error": reason, "moat.http.socket": String(socket)])
            return nil
        }
        return tag
    }

    /// Ends a watch. Call it while `socket` is still open, before libmicrohttpd
    /// may close it, so that a later socket with the same number is not affected.
    func stop(_ tag: UInt64, socket: Int32) {
        watches.withLock { _ = $0.handlers.removeValue(forKey: tag) }
        _ = moat_epoll_control(epoll, EPOLL_CTL_DEL, socket, 0, tag)
    }

    private func run(logger: Logger) {
        let capacity: Int32 = 64
        let tags = UnsafeMutablePointer<UInt64>.allocate(capacity: Int(capacity))
        let events = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(capacity))
        defer {
            tags.deallocate()
            events.deallocate()
        }
        while true {
            let count = moat_epoll_wait(epoll, tags, events, capacity, -1)
            if count < 0 {
                if errno == EINTR { continue }
                logger.error("client departure watch stopped", metadata: ["moat.error": String(cString: strerror(errno))])
                return
            }
            for index in 0..<Int(count) {
                let tag = tags[index]
                // A watch stopped after epoll reported it has no handler left.
                if let handler = watches.withLock({ $0.handlers.removeValue(forKey: tag) }) {
                    handler(tag)
                }
            }
        }
    }
}
