import CMicroHTTPD
import Foundation
import MoatCore

/// The event loops of one ``HTTPServer`` in
/// ``HTTPServerConfiguration/Concurrency/eventLoops(_:)`` mode, each with its
/// own daemon and its own `SO_REUSEPORT` listening socket on the shared port,
/// so that the kernel spreads new connections over the loops. Each loop
/// accepts on its socket itself (``LoopServer``); the daemons have none.
final class EventLoopGroup: Sendable {
    let loops: [EventLoop]
    let port: Int

    private init(loops: [EventLoop], port: Int) {
        self.loops = loops
        self.port = port
    }

    /// Binds `count` sockets, starts a daemon on each and runs a loop per daemon.
    ///
    /// - Throws: ``HTTPServerError`` from binding, or `daemon_start_failed`.
    static func start(count: Int, configuration: HTTPServerConfiguration, core: Unmanaged<ServerCore>, logger: Logger) throws(HTTPServerError) -> EventLoopGroup {
        var sockets: [ListeningSocket] = []
        var daemons: [OpaquePointer] = []
        func cleanUp() {
            daemons.forEach { MHD_stop_daemon($0) }
            sockets.forEach { close($0.descriptor) }
        }
        var loops: [EventLoop] = []
        do throws(HTTPServerError) {
            // SO_REUSEPORT would also let another process bind the port beside us
            // and take part of the connections, so the port is first checked free.
            if configuration.port != 0 {
                try ListeningSocket.checkFree(host: configuration.host, port: configuration.port)
            }
            for index in 0..<count {
                // The first socket may get its port from the kernel; the others bind that port.
                let port = sockets.first?.port ?? configuration.port
                let socket = try ListeningSocket.open(host: configuration.host, port: port, reusePort: true)
                sockets.append(socket)
                guard let daemon = startDaemon(isIPv6: socket.isIPv6, count: count, configuration: configuration, core: core.toOpaque()) else {
                    throw HTTPServerError(.daemonStartFailed, "libmicrohttpd did not start event loop \(index) on \(configuration.host):\(socket.port); see the preceding libmicrohttpd log lines")
                }
                daemons.append(daemon)
                let share = connectionShare(configuration.maxConnections, count: count)
                loops.append(try EventLoop(index: index, daemon: daemon, listener: socket.descriptor, core: core.takeUnretainedValue(), connectionLimit: share, logger: logger))
            }
        } catch {
            cleanUp()
            throw error
        }
        loops.forEach { $0.start() }
        return EventLoopGroup(loops: loops, port: sockets[0].port)
    }

    /// Stops accepting on every loop.
    func quiesce() async {
        for loop in loops {
            await loop.quiesce()
        }
    }

    /// Stops every loop and waits for their threads to end.
    func stop() async {
        for loop in loops {
            await loop.stop()
        }
    }

    /// Returns a loop's share of the connection limit, rounded up, because the limit applies per loop.
    private static func connectionShare(_ limit: Int, count: Int) -> Int {
        (limit + count - 1) / count
    }

    private static func startDaemon(isIPv6: Bool, count: Int, configuration: HTTPServerConfiguration, core: UnsafeMutableRawPointer) -> OpaquePointer? {
        // No internal thread: the loop calls MHD_run when the daemon's epoll
        // descriptor is readable. No listening socket: the loop adds connections.
        var flags = MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_ALLOW_UPGRADE.rawValue | MHD_USE_ERROR_LOG.rawValue
            | MHD_USE_NO_LISTEN_SOCKET.rawValue
        if isIPv6 {
            flags |= MHD_USE_IPv6.rawValue
        }
        let connectionLimit = connectionShare(configuration.maxConnections, count: count)
        return moat_mhd_start_daemon(
            flags, -1,
            nil, nil,
            MicroHTTPDCallbacks.access, core,
            MicroHTTPDCallbacks.completed, core,
            MicroHTTPDCallbacks.uriLog, core,
            MicroHTTPDCallbacks.errorLog, core,
            HTTPServer.connectionMemoryLimit(maxHeaderBytes: configuration.maxHeaderBytes),
            UInt32(connectionLimit),
            UInt32(configuration.connectionTimeout.rounded(.up)),
            0
        )
    }
}
