import CMicroHTTPD
import Foundation
import MoatCore

/// One event-loop thread, in the manner of an nginx worker. It owns a
/// listening socket and the connections it serves itself (``LoopServer``),
/// a libmicrohttpd daemon in external-epoll mode for every other connection,
/// a libcurl multi handle and an HTTP client for plain-http upstreams
/// (``LoopHTTPClient``), all in one epoll set.
///
/// A request without a body is read, responded to or forwarded, and its upstream
/// response written on this thread alone (see ``HTTPLoopResponder``).
///
/// Threading rules, from the libmicrohttpd and libcurl manuals: `MHD_run`,
/// `MHD_queue_response` and every libcurl call happen on this thread only.
/// `MHD_resume_connection` may come from any thread. It signals the daemon's
/// inter-thread channel, which is in the daemon's epoll set, and
/// ``daemonNeedsRun()`` makes sure the loop calls `MHD_run` afterwards.
final class EventLoop: @unchecked Sendable {
    // @unchecked: after `start`, every `var` except `posted` is used on the loop
    // thread only, and `posted` is a LockedValue.
    let index: Int
    private let epoll: Int32
    private let wakeDescriptor: Int32
    private let daemon: OpaquePointer
    private let logger: Logger
    private(set) var upstream: LoopUpstream!
    private(set) var httpClient: LoopHTTPClient!
    private var server: LoopServer!
    /// Jobs from other threads, run after the next wake-up.
    private let posted = LockedValue<[() -> Void]>([])
    /// Jobs from this thread, run at the end of the current iteration, outside any libcurl or libmicrohttpd callback.
    private var deferred: [() -> Void] = []
    private var stopRequested = false
    /// Set on the loop thread when a connection was resumed, so that MHD_run runs before the next wait.
    private var daemonRunPending = false
    /// Set from other threads for the same purpose; read after a wake-up.
    private let daemonRunRequested = LockedValue(false)
    private let exited = DispatchSemaphore(value: 0)

    private static let wakeTag: UInt64 = 0
    private static let daemonTag: UInt64 = 1
    private static let maxEvents: Int32 = 64

    /// Creates a loop around a daemon started with `MHD_USE_EPOLL`, no internal
    /// thread and no listening socket; the loop accepts on `listener`.
    ///
    /// - Throws: ``HTTPServerError`` `daemon_start_failed` when epoll, the
    ///   wake-up eventfd or the libcurl multi handle cannot be created.
    init(index: Int, daemon: OpaquePointer, listener: Int32, core: ServerCore, connectionLimit: Int, logger: Logger) throws(HTTPServerError) {
        self.index = index
        self.daemon = daemon
        self.logger = logger
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeDescriptor = moat_wake_descriptor()
        let daemonDescriptor = moat_mhd_epoll_fd(daemon)
        guard epoll >= 0, wakeDescriptor >= 0, daemonDescriptor >= 0,
              moat_epoll_control(epoll, EPOLL_CTL_ADD, wakeDescriptor, EPOLLIN.rawValue, Self.wakeTag) == 0,
              moat_epoll_control(epoll, EPOLL_CTL_ADD, daemonDescriptor, EPOLLIN.rawValue, Self.daemonTag) == 0
        else {
            let reason = String(cString: strerror(errno))
            if epoll >= 0 { close(epoll) }
            if wakeDescriptor >= 0 { close(wakeDescriptor) }
            throw HTTPServerError(.daemonStartFailed, "event loop \(index) could not set up epoll: \(reason)")
        }
        guard let upstream = LoopUpstream(epoll: epoll, loop: self, logger: logger) else {
            close(epoll)
            close(wakeDescriptor)
            throw HTTPServerError(.daemonStartFailed, "event loop \(index) could not create a libcurl multi handle")
        }
        self.upstream = upstream
        httpClient = LoopHTTPClient(epoll: epoll, loop: self, logger: logger)
        do throws(HTTPServerError) {
            server = try LoopServer(loop: self, epoll: epoll, listener: listener, daemon: daemon, core: core, connectionLimit: connectionLimit, logger: logger)
        } catch {
            upstream.shutDown()
            close(epoll)
            close(wakeDescriptor)
            throw error
        }
    }

    /// The loop running on the calling thread, or nil on any other thread.
    static var current: EventLoop? {
        guard let pointer = pthread_getspecific(currentKey) else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(pointer).takeUnretainedValue()
    }

    private static let currentKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Starts the loop's thread.
    func start() {
        let thread = Thread { [self] in
            run()
        }
        thread.name = "moat-http-loop-\(index)"
        thread.start()
    }

    /// Runs `job` on the loop thread: at the end of the current iteration when
    /// called on it, otherwise after waking the loop.
    func execute(_ job: @escaping () -> Void) {
        if EventLoop.current === self {
            deferred.append(job)
            return
        }
        posted.withLock { $0.append(job) }
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Sends an upstream request from this thread and calls `onHead` here
    /// with the response head or the failure. Plain `http` to an address
    /// needs no TLS and no name lookup, so the loop's own client sends it.
    /// libcurl sends any other URL.
    ///
    /// - Returns: a closure that abandons the exchange while its head has not
    ///   arrived and closes its upstream connection, or nil when the exchange already ended.
    @discardableResult
    func forward(
        _ request: StreamingClientRequest, requestID: String,
        onHead: @escaping (Result<StreamingClientResponse, HTTPClientError>) -> Void
    ) -> (() -> Void)? {
        guard let origin = httpClient.origin(for: request) else {
            return upstream.start(request, onHead: onHead)
        }
        guard let started = httpClient.start(request, origin: origin, requestID: requestID, onHead: onHead) else { return nil }
        return { [httpClient] in httpClient?.cancel(started) }
    }

    /// Makes the loop call MHD_run soon, after a connection of its daemon was resumed.
    func daemonNeedsRun() {
        if EventLoop.current === self {
            daemonRunPending = true
            return
        }
        daemonRunRequested.withLock { $0 = true }
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Stops accepting connections: the loop closes its listening socket.
    /// Returns after the loop did so.
    func quiesce() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            execute { [self] in
                server.stopListening()
                continuation.resume()
            }
        }
    }

    /// Ends the loop: aborts its upstream transfers, stops the daemon (which
    /// closes every connection) and joins the thread.
    func stop() async {
        execute { [self] in
            stopRequested = true
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // The wait blocks, so it stays off the cooperative pool.
            Thread.detachNewThread { [exited] in
                exited.wait()
                continuation.resume()
            }
        }
    }

    private func run() {
        pthread_setspecific(Self.currentKey, Unmanaged.passUnretained(self).toOpaque())
        let metadata: Logger.Metadata = ["moat.http.loop": String(index)]
        logger.info("event loop started", metadata: metadata)
        let tags = UnsafeMutablePointer<UInt64>.allocate(capacity: Int(Self.maxEvents))
        let events = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(Self.maxEvents))
        defer {
            tags.deallocate()
            events.deallocate()
        }

        while !stopRequested {
            let daemonTimeout = moat_mhd_timeout_ms(daemon)
            let timeout = nextTimeout(daemonTimeout: daemonTimeout)
            let count = moat_epoll_wait(epoll, tags, events, Self.maxEvents, timeout)
            var daemonReady = daemonTimeout == 0 || (count == 0 && daemonTimeout > 0)
            for index in 0..<Int(max(count, 0)) {
                switch tags[index] {
                case Self.wakeTag:
                    if daemonRunRequested.withLock({ requested in defer { requested = false }; return requested }) {
                        daemonReady = true
                    }
                    runPostedJobs()
                case Self.daemonTag:
                    daemonReady = true
                case LoopServer.listenTag:
                    server.acceptReady()
                case LoopServer.connectionTag...:
                    server.connectionReady(UInt32(truncatingIfNeeded: tags[index] - LoopServer.connectionTag), events: events[index])
                case LoopHTTPClient.connectionTag...:
                    httpClient.connectionReady(UInt32(truncatingIfNeeded: tags[index] - LoopHTTPClient.connectionTag), events: events[index])
                default:
                    upstream.socketReady(Int32(truncatingIfNeeded: tags[index] - LoopUpstream.socketTag), events: events[index])
                }
            }
            let now = ContinuousClock.now
            upstream.runTimerIfDue(now: now)
            httpClient.runTimersIfDue(now: now)
            server.runTimersIfDue(now: now)
            runDeferredJobs()
            if daemonReady || daemonRunPending {
                daemonRunPending = false
                _ = MHD_run(daemon)
                runDeferredJobs()
            }
        }

        server.shutDown()
        upstream.shutDown()
        httpClient.shutDown()
        runDeferredJobs()
        runPostedJobs()
        // Resumed connections are only processed by MHD_run, and libmicrohttpd
        // 0.9.75 must not be stopped with a connection still suspended.
        _ = MHD_run(daemon)
        _ = MHD_run(daemon)
        MHD_stop_daemon(daemon)
        close(epoll)
        close(wakeDescriptor)
        logger.info("event loop stopped", metadata: metadata)
        exited.signal()
    }

    /// Milliseconds epoll may wait: the earliest of the deadlines of
    /// libmicrohttpd, libcurl, the loop's HTTP client and its server, or -1 for none.
    private func nextTimeout(daemonTimeout: Int64) -> Int32 {
        if !deferred.isEmpty || daemonRunPending {
            return 0
        }
        var timeout = daemonTimeout
        func include(_ deadline: ContinuousClock.Instant?) {
            guard let deadline else { return }
            let remaining = deadline - .now
            let milliseconds = remaining <= .zero ? 0 : Int64((remaining / .milliseconds(1)).rounded(.up))
            timeout = timeout < 0 ? milliseconds : min(timeout, milliseconds)
        }
        include(upstream.timerDeadline)
        include(httpClient.timerDeadline)
        include(server.timerDeadline)
        return Int32(clamping: timeout)
    }

    private func runPostedJobs() {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, MemoryLayout<UInt64>.size)
        let jobs = posted.withLock { jobs in
            defer { jobs.removeAll() }
            return jobs
        }
        for job in jobs {
            job()
        }
    }

    private func runDeferredJobs() {
        while !deferred.isEmpty {
            let jobs = deferred
            deferred.removeAll()
            for job in jobs {
                job()
            }
        }
    }
}
