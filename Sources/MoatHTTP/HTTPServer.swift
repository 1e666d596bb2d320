import CMicroHTTPD
import Foundation
import MoatCore

/// An HTTP/1.1 server on libmicrohttpd that passes each complete request to
/// a responder.
///
/// libmicrohttpd parses requests on its own threads (``HTTPServerConfiguration/threadCount``).
/// Once a body is complete the connection is suspended and the responder
/// runs on a Swift task, so a slow handler never blocks a network thread.
/// With ``HTTPServerConfiguration/Concurrency/eventLoops(_:)`` the server
/// runs event-loop threads instead, on which an ``HTTPLoopResponder``
/// handles requests without a body. Each loop accepts connections itself
/// and serves plain HTTP/1.1 requests without libmicrohttpd. A connection
/// with any other request goes to the loop's libmicrohttpd daemon, so the
/// limits and replies below hold in every mode (see `LoopServer`).
///
/// Limits:
/// - A request head larger than ``HTTPServerConfiguration/maxHeaderBytes``
///   gets a 431 `header_fields_too_large` problem (414 `uri_too_long` when
///   the request line alone is too long) and the connection is closed; the
///   responder is not called. On an event loop every such head gets the
///   problem. Without one, libmicrohttpd reads the head into its
///   per-connection memory (twice the limit plus 16 KiB): a larger head gets
///   libmicrohttpd's own 431 or 414 page.
///   NOTE: without an event loop, a head of about 1.5 to 3 times the limit
///   that is mostly one `Cookie` field gets a garbled 431 reply (two
///   status lines). libmicrohttpd 0.9.75 runs out of that memory while it
///   copies the cookies.
/// - A `Content-Length` above ``HTTPServerConfiguration/maxBodyBytes`` gets a
///   413 problem before any body byte is read. A chunked body that grows past
///   the limit is cut off by closing the connection, because libmicrohttpd
///   cannot queue a response while it delivers body data.
/// - A target with an invalid percent-escape, invalid UTF-8 or NUL gets a
///   400 `invalid_target` problem before routing.
///
/// Logging: one `request completed` line at info level per response, with
/// `moat.request.id`, `moat.http.method`, `moat.http.path` (never the
/// query), `moat.http.status`, `moat.http.bytes` (body bytes),
/// `moat.http.duration_ms` and `moat.http.remote`; a request that ends
/// without a response logs `request aborted` with `moat.http.termination`.
/// Headers, cookies and bodies are never logged.
public final class HTTPServer: Sendable {
    private enum Lifecycle {
        case idle
        case running(daemon: OpaquePointer, socket: ListeningSocket, core: Unmanaged<ServerCore>)
        case runningLoops(EventLoopGroup, core: Unmanaged<ServerCore>)
        case stopped
    }

    private let configuration: HTTPServerConfiguration
    private let core: ServerCore
    private let logger: Logger
    private let lifecycle = LockedValue(Lifecycle.idle)

    /// Creates a server; nothing is bound until ``start()``.
    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.core = ServerCore(configuration: configuration, responder: responder, logger: logger)
    }

    /// Creates a server whose responder starts at the request head and may
    /// stream the body both ways or upgrade the connection (WebSocket); nothing
    /// is bound until ``start()``. See ``HTTPStreamingResponder``.
    public init(configuration: HTTPServerConfiguration, streamingResponder: any HTTPStreamingResponder, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.core = ServerCore(
            configuration: configuration, responder: StreamingOnlyResponder(), streamingResponder: streamingResponder, logger: logger
        )
    }

    /// The bound port: the configured one, or the one the kernel picked for
    /// port 0. Returns 0 before ``start()`` and after ``stop()``.
    public var port: Int {
        lifecycle.withLock { state in
            switch state {
            case .running(_, let socket, _): socket.port
            case .runningLoops(let group, _): group.port
            case .idle, .stopped: 0
            }
        }
    }

    /// The listening socket's descriptor while a thread-pool server runs, for tests.
    var listeningDescriptor: Int32? {
        lifecycle.withLock { state in
            guard case .running(_, let socket, _) = state else { return nil }
            return socket.descriptor
        }
    }

    /// Binds the socket and starts serving on libmicrohttpd's threads.
    ///
    /// - Throws: ``HTTPServerError`` with code `invalid_configuration`,
    ///   `invalid_address`, `address_in_use`, `bind_failed`,
    ///   `daemon_start_failed` or `already_started`; the reason names `host:port`.
    public func start() throws(HTTPServerError) {
        try configuration.validate()
        let outcome: Result<Int, HTTPServerError> = lifecycle.withLock { state in
            guard case .idle = state else {
                return .failure(HTTPServerError(.alreadyStarted, "the server on \(configuration.host):\(configuration.port) was already started; create a new HTTPServer"))
            }
            if case .eventLoops(let count) = configuration.concurrency {
                let retained = Unmanaged.passRetained(core)
                do throws(HTTPServerError) {
                    let group = try EventLoopGroup.start(count: count, configuration: configuration, core: retained, logger: logger)
                    state = .runningLoops(group, core: retained)
                    return .success(group.port)
                } catch {
                    retained.release()
                    return .failure(error)
                }
            }
            let socket: ListeningSocket
            do throws(HTTPServerError) {
                socket = try ListeningSocket.open(host: configuration.host, port: configuration.port)
            } catch {
                return .failure(error)
            }
            let retained = Unmanaged.passRetained(core)
            guard let daemon = startDaemon(socket: socket, core: retained.toOpaque()) else {
                close(socket.descriptor)
                retained.release()
                return .failure(HTTPServerError(.daemonStartFailed, "libmicrohttpd did not start on \(configuration.host):\(socket.port); see the preceding libmicrohttpd log lines"))
            }
            state = .running(daemon: daemon, socket: socket, core: retained)
            return .success(socket.port)
        }
        let port = try outcome.get()
        logger.info("server started", metadata: ["moat.http.host": configuration.host, "moat.http.port": String(port)])
    }

    /// Stops the server gracefully.
    ///
    /// 1. Closes new connections as they arrive. Complete requests that arrive
    ///    on open connections get a 503 `shutting_down` problem.
    /// 2. Waits up to ``HTTPServerConfiguration/shutdownGracePeriod`` for
    ///    running handlers to finish and their responses to be sent.
    /// 3. Sends a 503 problem for the handlers still running, cancels their tasks
    ///    and stops libmicrohttpd, which closes every connection.
    ///
    /// Calling it again, or before ``start()``, does nothing.
    public func stop() async {
        let running: Lifecycle = lifecycle.withLock { state in
            defer {
                if case .idle = state {} else { state = .stopped }
            }
            return state
        }
        switch running {
        case .running(let daemon, let socket, let retained):
            await stopDaemon(daemon, socket: socket)
            retained.release()
        case .runningLoops(let group, let retained):
            await stopLoops(group)
            retained.release()
        case .idle, .stopped:
            return
        }
    }

    private func stopDaemon(_ daemon: OpaquePointer, socket: ListeningSocket) async {
        let address = ["moat.http.host": configuration.host, "moat.http.port": String(socket.port)]
        logger.info("server stopping", metadata: address)

        // Draining makes the accept policy close new connections at once.
        // MHD_quiesce_daemon is not used, because libmicrohttpd 0.9.75 can abort
        // there with epoll and worker threads. A worker may remove the listening
        // socket from its epoll set first, and the second removal then fails
        // with ENOENT, which libmicrohttpd treats as fatal.
        core.enter(.draining)
        await waitForHandlers()

        core.enter(.stopping)
        core.abandonRunningHandlers()
        await core.closeUpgradedConnections(timeout: .seconds(2))
        let handle = DaemonHandle(daemon: daemon)
        // MHD_stop_daemon joins libmicrohttpd's threads; keep that off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                MHD_stop_daemon(handle.daemon)
                continuation.resume()
            }
        }
        // MHD_stop_daemon closed the listening socket, because the daemon was not quiesced.
        logger.info("server stopped", metadata: address)
    }

    /// Stops the event loops in the same three steps as a thread-pool server.
    private func stopLoops(_ group: EventLoopGroup) async {
        let address = ["moat.http.host": configuration.host, "moat.http.port": String(group.port)]
        logger.info("server stopping", metadata: address)

        core.enter(.draining)
        await group.quiesce()
        await waitForHandlers()

        core.enter(.stopping)
        core.abandonRunningHandlers()
        await core.closeUpgradedConnections(timeout: .seconds(2))
        await group.stop()
        logger.info("server stopped", metadata: address)
    }

    /// Waits up to the grace period for running handlers to finish.
    private func waitForHandlers() async {
        let deadline = ContinuousClock.now + .milliseconds(Int(configuration.shutdownGracePeriod * 1000))
        while core.inFlightCount() > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func startDaemon(socket: ListeningSocket, core: UnsafeMutableRawPointer) -> OpaquePointer? {
        var flags = MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue | MHD_USE_AUTO_INTERNAL_THREAD.rawValue
        if socket.isIPv6 {
            flags |= MHD_USE_IPv6.rawValue
        }
        if self.core.streamingResponder != nil {
            flags |= MHD_ALLOW_UPGRADE.rawValue
        }
        return moat_mhd_start_daemon(
            flags, socket.descriptor,
            MicroHTTPDCallbacks.acceptPolicy, core,
            MicroHTTPDCallbacks.access, core,
            MicroHTTPDCallbacks.completed, core,
            MicroHTTPDCallbacks.uriLog, core,
            MicroHTTPDCallbacks.errorLog, core,
            Self.connectionMemoryLimit(maxHeaderBytes: configuration.maxHeaderBytes),
            UInt32(configuration.maxConnections),
            UInt32(configuration.connectionTimeout.rounded(.up)),
            UInt32(configuration.threadCount)
        )
    }

    /// Returns the per-connection pool size for a header limit.
    ///
    /// libmicrohttpd keeps the request head, its read buffer and the response
    /// head in one pool per connection. The pool contains twice the limit plus
    /// 16 KiB, so that a head up to about 2.5 times the limit still fits and
    /// gets the server's 431 or 414 problem (see
    /// `ServerCore.headSizeRejection`). libmicrohttpd 0.9.75 zeroes the whole
    /// pool before each request on a kept-alive connection, so every byte
    /// here costs time on every request.
    /// NOTE: a head that does not fit the pool at all still gets
    /// libmicrohttpd's own 431 or 414 page (HTML), or a closed connection.
    static func connectionMemoryLimit(maxHeaderBytes: Int) -> Int {
        2 * maxHeaderBytes + 16 * 1024
    }
}

/// Stands in for the buffered responder of a streaming server, which never calls it.
private struct StreamingOnlyResponder: HTTPResponder {
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        ProblemDetails.internalError().response(requestID: request.requestID)
    }
}

/// Carries the daemon pointer to the thread that stops it.
private struct DaemonHandle: @unchecked Sendable {
    // @unchecked: the pointer is used by that one thread only, after every other use has ended.
    let daemon: OpaquePointer
}
