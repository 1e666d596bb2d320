import CMicroHTTPD
import Foundation
import MoatCore

/// An HTTP/1.1 client for plain `http` upstreams that runs on one
/// ``EventLoop``'s thread, in the manner of an nginx worker's upstream
/// module. It sends the requests without a body whose host is an IP literal
/// or `localhost`, so it never waits for a name lookup. ``LoopUpstream``
/// (libcurl) sends the others.
///
/// Sockets are non-blocking and registered once, edge-triggered, in the
/// loop's epoll set, so that a reused connection costs no `epoll_ctl`.
/// Responses are parsed with http_parser (see ``LoopHTTPConnection``).
/// Idle connections stay open per origin, at most
/// ``maxIdleConnections`` per loop, each for the
/// ``StreamingClientRequest/maxIdleTime`` of its last request. A reused connection that fails before
/// the first response byte is retried once on a new connection, because
/// the upstream may have closed it while the request was on its way, and
/// these requests have no body.
///
/// Every method runs on the loop's thread.
final class LoopHTTPClient {
    /// The epoll tag of a connection is this value plus its id.
    static let connectionTag: UInt64 = 3 << 32
    /// Idle upstream connections kept per loop, like ``LoopUpstream/maxCachedConnections``.
    static let maxIdleConnections = 256
    /// The largest response head, interim responses included.
    static let maxHeadBytes = 64 * 1024
    private static let readBufferSize = 64 * 1024

    private let epoll: Int32
    private unowned let loop: EventLoop
    private let logger: Logger
    /// Every open connection, busy or idle, by id.
    private var connections: [UInt32: LoopHTTPConnection] = [:]
    /// Idle connections by origin, with the most recently used last.
    private var idleConnections: [LoopHTTPOrigin: [LoopHTTPConnection]] = [:]
    private var idleCount = 0
    private var nextID: UInt32 = 0
    /// A time no connection's deadline is earlier than, or nil when none has one.
    /// Deadlines that move later leave it alone, so ``runTimersIfDue(now:)``
    /// scans the connections only when this passes.
    private(set) var timerDeadline: ContinuousClock.Instant?
    /// The last origin text that ``origin(for:)`` looked up, and its origin (nil when
    /// libcurl must send it). A gateway sends every request to one upstream, so this saves parsing each origin.
    private var cachedOrigin: (prefix: String, origin: LoopHTTPOrigin?)?
    /// One buffer for every read: the loop reads one socket at a time.
    private let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: readBufferSize, alignment: 16)

    init(epoll: Int32, loop: EventLoop, logger: Logger) {
        self.epoll = epoll
        self.loop = loop
        self.logger = logger
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Returns the origin of a request that this client sends, or nil when ``LoopUpstream`` must send it.
    func origin(for request: StreamingClientRequest) -> LoopHTTPOrigin? {
        if let cachedOrigin, cachedOrigin.prefix == request.origin {
            return cachedOrigin.origin
        }
        let origin = URL(string: request.origin).flatMap(LoopHTTPOrigin.init)
        cachedOrigin = (request.origin, origin)
        return origin
    }

    /// Sends `request` to `origin` and calls `onHead` on this thread exactly
    /// once, with the response head (the body may still stream) or the
    /// failure before it, unless the exchange is cancelled first.
    ///
    /// - Returns: the exchange, for ``cancel(_:)``, or nil when `onHead` already ran.
    @discardableResult
    func start(
        _ request: StreamingClientRequest, origin: LoopHTTPOrigin, requestID: String?,
        onHead: @escaping (Result<StreamingClientResponse, HTTPClientError>) -> Void
    ) -> LoopHTTPExchange? {
        let head: [UInt8]
        do {
            head = try Self.requestHead(request, origin: origin)
        } catch {
            onHead(.failure(error))
            return nil
        }
        let exchange = LoopHTTPExchange(request: request, requestID: requestID, origin: origin, head: head, onHead: onHead)
        send(exchange)
        return exchange.onHead == nil ? nil : exchange
    }

    /// Abandons an exchange whose response head has not arrived, because its
    /// client went away: `onHead` is never called, and the upstream connection
    /// is closed, since a response still on its way makes it unusable.
    func cancel(_ exchange: LoopHTTPExchange) {
        guard exchange.onHead != nil else { return }
        exchange.onHead = nil
        if let connection = connections.values.first(where: { $0.exchange === exchange }) {
            close(connection)
        }
    }

    /// Handles epoll events on the connection with `id`.
    func connectionReady(_ id: UInt32, events: UInt32) {
        guard let connection = connections[id] else { return }
        let readable = events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        let writable = events & (EPOLLOUT.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        switch connection.state {
        case .idle:
            // Bytes or an end of stream on an idle connection: the upstream closed it, or it is out of step.
            if readable {
                removeIdle(connection)
                close(connection)
            }
        case .connecting:
            if writable {
                finishConnect(connection, readable: readable)
            }
        case .sending:
            // Only a head that did not fit in the socket buffer gets here. A response that arrived
            // meanwhile reported its one edge already, so the socket is read once the head is out.
            if writable {
                flush(connection)
            }
            if connection.state == .receiving {
                readAvailable(connection)
            }
        case .receiving:
            if events & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                connection.peerClosed = true
            }
            // A paused connection is read again, to the end of what is buffered, once its stream drains.
            if readable, !connection.paused {
                readAvailable(connection)
            }
        case .closed:
            break
        }
    }

    /// Fails the exchanges whose deadline passed, when the earliest deadline is due.
    func runTimersIfDue(now: ContinuousClock.Instant) {
        guard let due = timerDeadline, now >= due else { return }
        timerDeadline = nil
        var expired: [LoopHTTPConnection] = []
        for connection in connections.values {
            guard let deadline = connection.deadline else { continue }
            if deadline <= now {
                expired.append(connection)
            } else if timerDeadline.map({ deadline < $0 }) ?? true {
                timerDeadline = deadline
            }
        }
        for connection in expired {
            timeOut(connection)
        }
    }

    /// Fails every pending exchange and closes every connection. The loop calls it when it stops.
    func shutDown() {
        let open = connections.values
        connections.removeAll()
        idleConnections.removeAll()
        idleCount = 0
        for connection in open {
            let exchange = connection.exchange
            let stream = connection.stream
            connection.state = .closed
            connection.endExchange()
            Glibc.close(connection.descriptor)
            guard let exchange else { continue }
            if let stream {
                stream.fail()
            } else {
                exchange.deliver(.failure(HTTPClientError(.cancelled, "request to \(exchange.origin.authority) was cancelled: the event loop stopped")))
            }
        }
    }

    // MARK: Sending

    /// Sends `exchange` on an idle connection to its origin, or on a new one.
    private func send(_ exchange: LoopHTTPExchange) {
        if !exchange.retried, let connection = popIdle(exchange.origin) {
            begin(exchange, on: connection)
            return
        }
        let connection: LoopHTTPConnection
        let connected: Bool
        do {
            (connection, connected, exchange.usesIPv6Loopback) = try open(exchange.origin, ipv6Loopback: exchange.usesIPv6Loopback)
        } catch {
            exchange.deliver(.failure(error))
            return
        }
        connection.begin(exchange)
        connection.streamStarted = { [unowned self] in streamStarted(on: $0) }
        if connected {
            connection.state = .sending
            setDeadline(connection, after: exchange.request.readTimeout)
            flush(connection)
        } else {
            connection.state = .connecting
            setDeadline(connection, after: exchange.request.connectTimeout)
        }
    }

    private func begin(_ exchange: LoopHTTPExchange, on connection: LoopHTTPConnection) {
        connection.begin(exchange)
        connection.state = .sending
        setDeadline(connection, after: exchange.request.readTimeout)
        flush(connection)
    }

    /// Opens a non-blocking socket to `origin`, or to ::1 when `ipv6Loopback`
    /// is set for a `localhost` origin, and registers it in epoll.
    /// A `localhost` origin that 127.0.0.1 refuses at once is opened at ::1 instead.
    ///
    /// - Returns: the connection, whether the connect already completed, and whether it went to ::1.
    private func open(
        _ origin: LoopHTTPOrigin, ipv6Loopback: Bool
    ) throws(HTTPClientError) -> (connection: LoopHTTPConnection, connected: Bool, toIPv6Loopback: Bool) {
        let toIPv6Loopback = ipv6Loopback && origin.isLocalhost
        let family = origin.isIPv6 || toIPv6Loopback ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw HTTPClientError(.connectionFailed, "connection to \(origin.authority) failed: socket: \(String(cString: strerror(errno)))")
        }
        // Request heads are small and written whole, so Nagle's delay would only add latency (libcurl sets this too).
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = toIPv6Loopback ? Self.connect(descriptor, toIPv6Address: "::1", port: origin.port) : Self.connect(descriptor, to: origin)
        let connectError = errno
        guard result == 0 || connectError == EINPROGRESS else {
            Glibc.close(descriptor)
            if connectError == ECONNREFUSED, origin.isLocalhost, !toIPv6Loopback {
                return try open(origin, ipv6Loopback: true)
            }
            throw HTTPClientError(.connectionFailed, "connection to \(origin.authority) failed: \(String(cString: strerror(connectError)))")
        }
        while connections[nextID] != nil {
            nextID &+= 1
        }
        let id = nextID
        nextID &+= 1
        // Edge-triggered and registered once for both directions: the
        // connection is never re-armed, and it leaves epoll when it is closed.
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        guard moat_epoll_control(epoll, EPOLL_CTL_ADD, descriptor, events, Self.connectionTag + UInt64(id)) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw HTTPClientError(.transferFailed, "request to \(origin.authority) failed: epoll_ctl: \(reason)")
        }
        let connection = LoopHTTPConnection(id: id, descriptor: descriptor, origin: origin)
        connections[id] = connection
        return (connection, result == 0, toIPv6Loopback)
    }

    private static func connect(_ descriptor: Int32, to origin: LoopHTTPOrigin) -> Int32 {
        if origin.isIPv6 {
            return connect(descriptor, toIPv6Address: origin.address, port: origin.port)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = origin.port.bigEndian
        _ = inet_pton(AF_INET, origin.address, &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    private static func connect(_ descriptor: Int32, toIPv6Address text: String, port: UInt16) -> Int32 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        _ = inet_pton(AF_INET6, text, &address.sin6_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }

    private func finishConnect(_ connection: LoopHTTPConnection, readable: Bool) {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(connection.descriptor, SOL_SOCKET, SO_ERROR, &code, &length) != 0 {
            code = errno
        }
        guard code == 0 else {
            // A localhost app may listen on ::1 only, so a refused 127.0.0.1 is tried again there once.
            if code == ECONNREFUSED, connection.origin.isLocalhost, let exchange = connection.exchange, !exchange.usesIPv6Loopback {
                exchange.usesIPv6Loopback = true
                close(connection)
                send(exchange)
                return
            }
            fail(connection, HTTPClientError(.connectionFailed, "connection to \(connection.origin.authority) failed: \(String(cString: strerror(code)))"))
            return
        }
        connection.state = .sending
        if let exchange = connection.exchange {
            setDeadline(connection, after: exchange.request.readTimeout)
        }
        flush(connection)
        if readable, connection.state == .receiving {
            readAvailable(connection)
        }
    }

    /// Writes what is left of the request head, or waits for `EPOLLOUT` when the socket is full.
    private func flush(_ connection: LoopHTTPConnection) {
        guard let exchange = connection.exchange else { return }
        let head = exchange.head
        while connection.outputOffset < head.count {
            let sent = head.withUnsafeBytes { bytes in
                Glibc.send(connection.descriptor, bytes.baseAddress! + connection.outputOffset, bytes.count - connection.outputOffset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                connection.outputOffset += sent
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return }
            connectionLost(connection, code)
            return
        }
        connection.state = .receiving
    }

    // MARK: Receiving

    /// Reads until the socket has nothing more, the response ended or its stream is full.
    private func readAvailable(_ connection: LoopHTTPConnection) {
        while connection.state == .receiving && !connection.paused {
            let count = recv(connection.descriptor, readBuffer, Self.readBufferSize, 0)
            if count > 0 {
                connection.receivedAnyByte = true
                if let exchange = connection.exchange {
                    connection.deadline = .now + .seconds(exchange.request.readTimeout)
                }
                guard process(connection, count: count) else { return }
                continue
            }
            if count == 0 {
                endOfStream(connection)
                return
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return }
            connectionLost(connection, code)
            return
        }
    }

    /// Parses `count` bytes from the read buffer. Returns whether to read on.
    private func process(_ connection: LoopHTTPConnection, count: Int) -> Bool {
        let result = connection.parse(readBuffer, count: count)
        if connection.readerGone {
            close(connection)
            return false
        }
        if case .failed(let error) = result {
            fail(connection, error)
            return false
        }
        if connection.messageComplete {
            complete(connection)
            return false
        }
        if connection.paused {
            // The client is slow, not the upstream, so no read timeout runs until the stream drains.
            connection.deadline = nil
            return false
        }
        return true
    }

    /// Handles the upstream closing the connection.
    private func endOfStream(_ connection: LoopHTTPConnection) {
        if shouldRetry(connection) {
            retry(connection, reason: "end of stream")
            return
        }
        let result = connection.parse(nil, count: 0)
        if connection.messageComplete {
            // A body read until the close, or a close right after the response.
            connection.keepAlive = false
            complete(connection)
            return
        }
        let authority = connection.origin.authority
        if case .failed(let error) = result {
            fail(connection, error)
        } else if !connection.receivedAnyByte {
            fail(connection, HTTPClientError(.connectionFailed, "connection to \(authority) failed: the upstream closed the connection without a response"))
        } else if !connection.headComplete {
            fail(connection, HTTPClientError(.transferFailed, "request to \(authority) failed: the upstream closed the connection before the end of the response head"))
        } else {
            fail(connection, HTTPClientError(.transferFailed, "request to \(authority) failed: the upstream closed the connection before the end of the response body"))
        }
    }

    /// Handles a failed send or receive (a reset, for example).
    private func connectionLost(_ connection: LoopHTTPConnection, _ code: Int32) {
        if shouldRetry(connection) {
            retry(connection, reason: String(cString: strerror(code)))
            return
        }
        fail(connection, HTTPClientError(.connectionFailed, "connection to \(connection.origin.authority) failed: \(String(cString: strerror(code)))"))
    }

    private func shouldRetry(_ connection: LoopHTTPConnection) -> Bool {
        guard let exchange = connection.exchange else { return false }
        return connection.servedBefore && !connection.receivedAnyByte && !exchange.retried
    }

    private func retry(_ connection: LoopHTTPConnection, reason: String) {
        guard let exchange = connection.exchange else { return }
        exchange.retried = true
        close(connection)
        var metadata: Logger.Metadata = [
            "moat.http.loop": String(loop.index), "moat.upstream": exchange.origin.authority, "moat.error": reason,
        ]
        if let requestID = exchange.requestID {
            metadata["moat.request.id"] = requestID
        }
        logger.debug("upstream request retried on a new connection", metadata: metadata)
        send(exchange)
    }

    /// Hands over the head of a response whose body streams, and installs the stream's producer hooks.
    private func streamStarted(on connection: LoopHTTPConnection) {
        guard let stream = connection.stream, let exchange = connection.exchange else { return }
        let loop = self.loop
        // Weak references: the stream keeps its hooks until it ends, and may outlive the connection.
        stream.installProducerHooks(
            onDrain: { [weak self, weak connection, weak stream] in
                loop.execute { if let self, let connection, let stream { self.resume(connection, stream: stream) } }
            },
            onReaderGone: { [weak self, weak connection, weak stream] in
                loop.execute { if let self, let connection, let stream { self.abandon(connection, stream: stream) } }
            }
        )
        exchange.deliver(.success(StreamingClientResponse(
            status: connection.status, headers: connection.headers, body: .stream(stream), contentLength: connection.contentLength
        )))
    }

    /// Continues a connection whose stream was full, after the stream drained.
    private func resume(_ connection: LoopHTTPConnection, stream: HTTPBodyStream) {
        guard connection.stream === stream, connection.state == .receiving, connection.paused else { return }
        while let piece = connection.pendingBody.first {
            switch stream.tryWrite(piece) {
            case .accepted:
                connection.pendingBody.removeFirst()
            case .full:
                return
            case .closed:
                close(connection)
                return
            }
        }
        connection.paused = false
        if let exchange = connection.exchange {
            setDeadline(connection, after: exchange.request.readTimeout)
        }
        if connection.messageComplete {
            complete(connection)
        } else {
            readAvailable(connection)
        }
    }

    /// Closes the connection of a stream whose reader went away.
    private func abandon(_ connection: LoopHTTPConnection, stream: HTTPBodyStream) {
        guard connection.stream === stream, connection.state != .closed else { return }
        close(connection)
    }

    // MARK: Ending exchanges

    /// Ends an exchange whose response was read to its end, and keeps the connection when it may be reused.
    private func complete(_ connection: LoopHTTPConnection) {
        guard let exchange = connection.exchange else { return }
        if connection.paused {
            // The rest of the body waits for the stream to drain, and ``resume(_:stream:)`` comes back here.
            connection.deadline = nil
            return
        }
        let stream = connection.stream
        let response = connection.bufferWhole
            ? StreamingClientResponse(status: connection.status, headers: connection.headers, body: .complete(connection.buffered), contentLength: connection.contentLength)
            : nil
        release(connection)
        if let response {
            exchange.deliver(.success(response))
        } else {
            stream?.finish()
        }
    }

    private func release(_ connection: LoopHTTPConnection) {
        guard connection.keepAlive, !connection.trailingBytes, !connection.peerClosed, idleCount < Self.maxIdleConnections else {
            close(connection)
            return
        }
        let maxIdleTime = connection.exchange?.request.maxIdleTime ?? 0
        connection.endExchange()
        connection.servedBefore = true
        // An idle connection that the upstream closed is dropped when epoll reports it,
        // or its next request is retried once. One idle longer than allowed is closed by the timer.
        connection.state = .idle
        setDeadline(connection, after: maxIdleTime)
        idleConnections[connection.origin, default: []].append(connection)
        idleCount += 1
    }

    private func popIdle(_ origin: LoopHTTPOrigin) -> LoopHTTPConnection? {
        guard let connection = idleConnections[origin]?.popLast() else { return nil }
        idleCount -= 1
        return connection
    }

    private func removeIdle(_ connection: LoopHTTPConnection) {
        guard let index = idleConnections[connection.origin]?.firstIndex(where: { $0 === connection }) else { return }
        idleConnections[connection.origin]?.remove(at: index)
        idleCount -= 1
    }

    /// Closes the connection and reports `error`: to `onHead` before the head, or by failing the body stream.
    private func fail(_ connection: LoopHTTPConnection, _ error: HTTPClientError) {
        let exchange = connection.exchange
        let stream = connection.stream
        close(connection)
        guard let stream else {
            exchange?.deliver(.failure(error))
            return
        }
        // The head went out already, so the caller never sees this error; the client sees a cut-off body.
        var metadata: Logger.Metadata = ["moat.http.loop": String(loop.index), "moat.error.code": error.code.description, "moat.error": error.reason]
        if let requestID = exchange?.requestID {
            metadata["moat.request.id"] = requestID
        }
        logger.warning("upstream response body failed", metadata: metadata)
        stream.fail()
    }

    private func timeOut(_ connection: LoopHTTPConnection) {
        if connection.state == .idle {
            removeIdle(connection)
            close(connection)
            return
        }
        guard let exchange = connection.exchange else { return }
        let authority = connection.origin.authority
        if connection.state == .connecting {
            fail(connection, HTTPClientError(.timedOut, "connection to \(authority) timed out after \(exchange.request.connectTimeout) s"))
        } else {
            fail(connection, HTTPClientError(.timedOut, "request to \(authority) timed out: no data for \(exchange.request.readTimeout) s"))
        }
    }

    /// Closes the socket, which also removes it from epoll, and drops the connection from the table.
    private func close(_ connection: LoopHTTPConnection) {
        guard connection.state != .closed else { return }
        connection.state = .closed
        connection.endExchange()
        connection.streamStarted = nil
        connections[connection.id] = nil
        Glibc.close(connection.descriptor)
    }

    private func setDeadline(_ connection: LoopHTTPConnection, after seconds: TimeInterval) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        connection.deadline = deadline
        if timerDeadline.map({ deadline < $0 }) ?? true {
            timerDeadline = deadline
        }
    }
}
