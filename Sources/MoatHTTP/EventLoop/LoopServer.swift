import CMicroHTTPD
import Foundation
import MoatCore

/// The accepting side of an ``EventLoop``: it owns the loop's listening
/// socket, serves plain requests itself and hands every other connection to
/// the loop's libmicrohttpd daemon.
///
/// A plain request is one that ``LoopRequestParser`` accepts: an HTTP/1.1
/// head without a body or upgrade, within ``HTTPServerConfiguration/maxHeaderBytes``.
/// The head is read with `MSG_PEEK` first, and only consumed once it is
/// known to be plain, so that libmicrohttpd reads the request of a
/// connection handed over with `MHD_add_connection` from the socket itself.
/// A connection that has been handed over stays with libmicrohttpd until it
/// closes.
///
/// This path exists for speed: libmicrohttpd 0.9.75 clears its whole
/// per-connection pool before every request, needs two `epoll_ctl` calls to
/// suspend and resume a connection around an upstream request, and copies each
/// response field. Client sockets are in the loop's epoll set edge-triggered
/// for input, output and peer shutdown, so a request costs no `epoll_ctl` call.
final class LoopServer: @unchecked Sendable {
    // @unchecked: used on the loop thread only; other threads reach it through `loop.execute`.
    static let listenTag: UInt64 = 4
    static let connectionTag: UInt64 = 4 << 32

    private unowned let loop: EventLoop
    private let epoll: Int32
    private var listener: Int32
    private let daemon: OpaquePointer
    private let core: ServerCore
    private let responder: (any HTTPLoopResponder)?
    private let connectionLimit: Int
    private let idleTimeout: Duration?
    private let logger: Logger
    private let parser = LoopRequestParser()
    private let inFlight = LoopExchangeCounter()
    /// Peeked request heads; one head fits, up to the header limit.
    private let input: UnsafeMutableRawBufferPointer
    /// Pieces of streamed bodies on their way into a connection's output.
    private let scratch: UnsafeMutableRawBufferPointer
    private var connections: [UInt32: LoopConnection] = [:]
    private var nextID: UInt32 = 0
    private var nextSweep: ContinuousClock.Instant?
    /// Set while accepting is paused after the process ran out of descriptors.
    private var acceptResumesAt: ContinuousClock.Instant?
    private var dateField = DateField()
    /// Reason phrases from libmicrohttpd's table, converted once per status.
    private var reasonPhrases: [Int: String] = [:]

    /// Registers `listener`, a listening socket, in `epoll`.
    ///
    /// - Throws: ``HTTPServerError`` `daemon_start_failed` when epoll refuses the socket.
    init(loop: EventLoop, epoll: Int32, listener: Int32, daemon: OpaquePointer, core: ServerCore, connectionLimit: Int, logger: Logger) throws(HTTPServerError) {
        self.loop = loop
        self.epoll = epoll
        self.listener = listener
        self.daemon = daemon
        self.core = core
        self.responder = core.loopResponder
        self.connectionLimit = connectionLimit
        let timeout = core.configuration.connectionTimeout
        self.idleTimeout = timeout > 0 ? .milliseconds(Int((timeout * 1000).rounded(.up))) : nil
        self.logger = logger
        core.register(inFlight)
        input = .allocate(byteCount: max(1, core.configuration.maxHeaderBytes), alignment: 8)
        scratch = .allocate(byteCount: 32 * 1024, alignment: 8)
        let flags = fcntl(listener, F_GETFL)
        guard flags >= 0, fcntl(listener, F_SETFL, flags | O_NONBLOCK) == 0,
              moat_epoll_control(epoll, EPOLL_CTL_ADD, listener, EPOLLIN.rawValue, Self.listenTag) == 0
        else {
            let reason = String(cString: strerror(errno))
            input.deallocate()
            scratch.deallocate()
            throw HTTPServerError(.daemonStartFailed, "event loop \(loop.index) could not watch its listening socket: \(reason)")
        }
    }

    deinit {
        input.deallocate()
        scratch.deallocate()
    }

    /// When the loop must call ``runTimersIfDue(now:)`` next, or nil.
    var timerDeadline: ContinuousClock.Instant? {
        switch (nextSweep, acceptResumesAt) {
        case (let sweep?, let resume?): min(sweep, resume)
        case (let sweep?, nil): sweep
        case (nil, let resume): resume
        }
    }

    // MARK: Accepting

    /// Accepts every pending connection.
    func acceptReady() {
        while listener >= 0 {
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor = withUnsafeMutablePointer(to: &peer) { storage in
                storage.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    moat_accept_nonblocking(listener, $0, &peerLength)
                }
            }
            guard descriptor >= 0 else {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK:
                    return
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                default:
                    pauseAccepting(reason: String(cString: strerror(code)))
                    return
                }
            }
            adopt(descriptor, peer: peer, peerLength: peerLength)
        }
    }

    private func adopt(_ descriptor: Int32, peer: sockaddr_storage, peerLength: socklen_t) {
        let remoteAddress = withUnsafePointer(to: peer) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { ServerCore.remoteAddress($0) }
        }
        if connections.count + Int(moat_mhd_connection_count(daemon)) >= connectionLimit {
            logger.notice("connection rejected at the connection limit", metadata: [
                "moat.http.loop": String(loop.index), "moat.http.remote": remoteAddress, "moat.http.connection_limit": String(connectionLimit),
            ])
            close(descriptor)
            return
        }
        // Ids wrap after 2^32 connections; one still open keeps its id.
        repeat {
            nextID &+= 1
        } while connections[nextID] != nil
        let connection = LoopConnection(id: nextID, descriptor: descriptor, peer: peer, peerLength: peerLength, remoteAddress: remoteAddress, now: .now)
        guard responder != nil else {
            handOver(connection, reason: "the responder answers on no event loop")
            return
        }
        // Streamed responses (server-sent events) must leave at once, not wait for an acknowledgement.
        var enable: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        guard moat_epoll_control(epoll, EPOLL_CTL_ADD, descriptor, events, Self.connectionTag + UInt64(connection.id)) == 0 else {
            handOver(connection, reason: "epoll refused the socket: \(String(cString: strerror(errno)))")
            return
        }
        connections[connection.id] = connection
        if nextSweep == nil {
            nextSweep = .now + .seconds(1)
        }
    }

    /// Stops accepting for 100 ms after accept failed for want of descriptors or memory,
    /// because the listening socket stays readable and would spin the loop.
    private func pauseAccepting(reason: String) {
        logger.error("accepting a connection failed; retrying in 100 ms", metadata: ["moat.http.loop": String(loop.index), "moat.error": reason])
        _ = moat_epoll_control(epoll, EPOLL_CTL_DEL, listener, 0, 0)
        acceptResumesAt = .now + .milliseconds(100)
    }

    /// Closes the listening socket; open connections stay.
    func stopListening() {
        guard listener >= 0 else { return }
        _ = moat_epoll_control(epoll, EPOLL_CTL_DEL, listener, 0, 0)
        close(listener)
        listener = -1
        acceptResumesAt = nil
    }

    // MARK: Readiness

    /// Handles epoll's events for connection `id`.
    func connectionReady(_ id: UInt32, events: UInt32) {
        guard let connection = connections[id] else { return }
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            end(connection, termination: "client_abort")
            return
        }
        if connection.phase == .lingering {
            drain(connection)
            return
        }
        if events & EPOLLRDHUP.rawValue != 0 {
            // A client that shuts down its side while its request is in flight has
            // gone away, as nginx also concludes, so the upstream exchange stops.
            guard connection.phase == .idle else {
                end(connection, termination: "client_abort")
                return
            }
            connection.peerClosed = true
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            readRequest(connection)
        }
        if events & EPOLLOUT.rawValue != 0, connection.phase == .sending {
            // Room in the socket's buffer is progress for a stalled response.
            connection.lastActivity = .now
            flush(connection)
        }
    }

    /// Reads the next request head without consuming it, and serves the request
    /// or hands the connection over.
    private func readRequest(_ connection: LoopConnection) {
        guard connection.phase == .idle else {
            connection.inputPending = true
            return
        }
        connection.inputPending = false
        let count = recv(connection.descriptor, input.baseAddress, input.count, Int32(MSG_PEEK))
        if count == 0 {
            end(connection, termination: "client_closed")
            return
        }
        guard count > 0 else {
            let code = errno
            if code != EAGAIN && code != EWOULDBLOCK && code != EINTR {
                end(connection, termination: "read_error")
            }
            return
        }
        connection.lastActivity = .now
        guard core.isAcceptingWork else {
            // libmicrohttpd replies with the shutting-down problem.
            handOver(connection, reason: "the server is shutting down")
            return
        }
        switch parser.scan(UnsafeRawBufferPointer(rebasing: input[0..<count])) {
        case .incomplete:
            // The rest of the head arrives as a new edge.
            if count >= input.count {
                rejectOversizedHead(connection, peeked: count)
            } else if connection.peerClosed {
                handOver(connection, reason: "the client closed its side within the head")
            }
        case .handOver(let reason):
            handOver(connection, reason: reason)
        case .complete(let head):
            // The head fits the buffer, but the limit counts it as libmicrohttpd's path does.
            let fieldBytes = head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            if core.headSizeRejection(method: head.method, target: head.target, fieldBytes: fieldBytes) != nil {
                handOver(connection, reason: "the head is over the header limit")
                return
            }
            guard let target = try? RequestTarget.parse(head.target) else {
                handOver(connection, reason: "the target is invalid")
                return
            }
            let consumed = recv(connection.descriptor, input.baseAddress, head.byteCount, 0)
            guard consumed == head.byteCount else {
                end(connection, termination: "read_error")
                return
            }
            connection.inputPending = count > head.byteCount
            serve(head, target: target, on: connection)
        }
    }

    /// Replies to a head larger than the header limit with the 414 or 431
    /// problem and closes the connection. libmicrohttpd 0.9.75 would reply
    /// with its own HTML page once the head no longer fits its memory pool,
    /// or, for a large `Cookie` field, with two responses in a row.
    private func rejectOversizedHead(_ connection: LoopConnection, peeked count: Int) {
        let limit = core.configuration.maxHeaderBytes
        let peeked = UnsafeRawBufferPointer(rebasing: input[0..<count])
        let lineEnd = memchr(peeked.baseAddress!, 0x0A, count)
        let method = String(decoding: peeked.prefix { HTTPHeaders.isTokenByte($0) }.prefix(16), as: UTF8.self)
        let problem = lineEnd == nil
            ? ServerCore.requestLineTooLong(size: "more than \(limit) bytes", limit: limit)
            : ServerCore.headTooLarge(size: "more than \(limit) bytes", limit: limit)
        let exchange = LoopExchange(requestID: RequestID.generate(), method: method, path: "", keepAlive: false)
        connection.exchange = exchange
        connection.phase = .waiting
        connection.hasUnreadInput = true
        inFlight.increment()
        respond(problem.response(requestID: exchange.requestID), to: exchange, on: connection)
    }

    /// Shuts down the sending side and reads until the client closes, or
    /// ``lingerLimit`` passes, as nginx's lingering close does.
    private func linger(_ connection: LoopConnection) {
        _ = shutdown(connection.descriptor, Int32(SHUT_WR))
        connection.phase = .lingering
        connection.lastActivity = .now
        drain(connection)
    }

    private static let lingerLimit: Duration = .seconds(5)

    private func drain(_ connection: LoopConnection) {
        while true {
            let count = recv(connection.descriptor, scratch.baseAddress, scratch.count, 0)
            if count > 0 {
                continue
            }
            if count < 0, errno == EINTR {
                continue
            }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return
            }
            end(connection, termination: "completed")
            return
        }
    }

    /// Gives the connection to libmicrohttpd, which closes it on failure.
    private func handOver(_ connection: LoopConnection, reason: String) {
        logger.debug("connection handed to libmicrohttpd", metadata: [
            "moat.http.loop": String(loop.index), "moat.http.remote": connection.remoteAddress, "moat.reason": reason,
        ])
        if connections.removeValue(forKey: connection.id) != nil {
            _ = moat_epoll_control(epoll, EPOLL_CTL_DEL, connection.descriptor, 0, 0)
        }
        connection.phase = .gone
        let added = withUnsafePointer(to: connection.peer) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { MHD_add_connection(daemon, connection.descriptor, $0, connection.peerLength) }
        }
        if added != .YES {
            logger.notice("connection not taken by libmicrohttpd", metadata: [
                "moat.http.loop": String(loop.index), "moat.http.remote": connection.remoteAddress, "moat.error": String(cString: strerror(errno)),
            ])
        }
        loop.daemonNeedsRun()
    }

    // MARK: Serving

    private func serve(_ head: LoopRequestHead, target: RequestTarget, on connection: LoopConnection) {
        guard let responder else { return }
        let offered = head.headers["X-Request-Id"]
        let requestID = offered.flatMap { RequestID.isAcceptable($0) ? $0 : nil } ?? RequestID.generate()
        let exchange = LoopExchange(requestID: requestID, method: head.method, path: target.path, keepAlive: head.keepAlive && !connection.peerClosed)
        connection.exchange = exchange
        connection.phase = .waiting
        inFlight.increment()
        let request = HTTPRequest(
            method: head.method, target: head.target, parsedTarget: target, headers: head.headers,
            body: Data(), remoteAddress: connection.remoteAddress, requestID: requestID
        )
        switch responder.respondOnLoop(to: request) {
        case .respond(let response):
            respond(response, to: exchange, on: connection)
        case .forward(let upstreamRequest, let complete):
            let onHead: (Result<StreamingClientResponse, HTTPClientError>) -> Void = { [self] result in
                respond(complete(result), to: exchange, on: connection)
            }
            exchange.cancelUpstream = loop.forward(upstreamRequest, requestID: requestID, onHead: onHead)
        case .runBlocking:
            let body = HTTPRequestBody(Data())
            exchange.task = Task(executorPreference: HandlerExecutor.shared) { [self, loop] in
                let response = await responder.respond(to: request, body: body)
                loop.execute { self.respond(response, to: exchange, on: connection) }
            }
        }
    }

    /// Writes `response` for `exchange`, or drops it when the exchange has ended.
    private func respond(_ response: HTTPResponse, to exchange: LoopExchange, on connection: LoopConnection) {
        guard connection.exchange === exchange, connection.phase == .waiting else {
            response.bodyStream?.cancel()
            return
        }
        let metadata = { exchange.logMetadata(remoteAddress: connection.remoteAddress) }
        var finalized = core.finalize(.response(response), requestID: exchange.requestID, logMetadata: metadata())
        if response.bodyStream != nil, finalized.bodyStream == nil {
            // `finalize` replaced an invalid response with a problem, so the stream has no reader.
            response.bodyStream?.cancel()
        }
        if finalized.status == 101 || finalized.upgradeHandler != nil {
            // Upgrade requests are handed over, so nothing here can switch protocols.
            logger.error("upgrade response to a request without an upgrade", metadata: metadata())
            finalized.bodyStream?.cancel()
            finalized = core.finalize(.problem(.internalError()), requestID: exchange.requestID, logMetadata: metadata())
        }
        connection.phase = .sending
        exchange.cancelUpstream = nil
        exchange.status = finalized.status
        writeHead(of: finalized, for: exchange, on: connection)
        flush(connection)
    }

    /// Puts the status line, the fields and a buffered body into the connection's output.
    private func writeHead(of response: HTTPResponse, for exchange: LoopExchange, on connection: LoopConnection) {
        var output = connection.output
        output.removeAll(keepingCapacity: true)
        connection.output = []

        output.append(contentsOf: "HTTP/1.1 \(response.status) \(reasonPhrase(for: response.status))\r\n".utf8)
        var announcesClose = false
        for field in response.headers {
            // The framing fields are the server's (RFC 9112 §6).
            if HTTPHeaders.namesMatch(field.name, "Transfer-Encoding") {
                continue
            }
            if HTTPHeaders.namesMatch(field.name, "Connection") {
                if field.value.lowercased().contains("close") {
                    exchange.keepAlive = false
                    announcesClose = true
                } else if !exchange.keepAlive {
                    // Replaced by `Connection: close` below, because the connection ends.
                    continue
                }
            }
            output.append(contentsOf: field.name.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: field.value.utf8)
            output.append(contentsOf: "\r\n".utf8)
        }

        // A proxied response keeps the upstream's Date (RFC 9110 §6.6.1 allows one field).
        if !response.headers.contains("Date") {
            output.append(contentsOf: dateField.line(now: time(nil)))
        }

        // RFC 9110 §6.4.1: no content for HEAD, 1xx, 204 and 304.
        let hasNoContent = response.status < 200 || response.status == 204 || response.status == 304
        let sendsBody = exchange.method != "HEAD" && !hasNoContent
        connection.chunked = false
        if let stream = response.bodyStream {
            if let length = response.bodyLength, !hasNoContent {
                output.append(contentsOf: "Content-Length: \(length)\r\n".utf8)
            } else if response.bodyLength == nil, sendsBody {
                output.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
                connection.chunked = true
            }
            if sendsBody {
                connection.stream = stream
            } else {
                stream.cancel()
            }
        } else if !hasNoContent {
            output.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        }

        if !exchange.keepAlive, !announcesClose {
            output.append(contentsOf: "Connection: close\r\n".utf8)
        }
        output.append(contentsOf: "\r\n".utf8)

        if sendsBody, response.bodyStream == nil {
            output.append(contentsOf: response.body)
            exchange.bodyBytes = response.body.count
        }
        connection.output = output
        connection.outputOffset = 0
    }

    private func reasonPhrase(for status: Int) -> String {
        if let known = reasonPhrases[status] {
            return known
        }
        let phrase = MHD_get_reason_phrase_for(UInt32(clamping: status)).map { String(cString: $0) } ?? ""
        reasonPhrases[status] = phrase
        return phrase
    }

    /// Writes the connection's output and then its body stream, until the
    /// socket is full, the stream has nothing new, or the response is complete.
    private func flush(_ connection: LoopConnection) {
        while connection.phase == .sending {
            while connection.hasUnsentOutput {
                let written = connection.output.withUnsafeBytes { bytes in
                    send(connection.descriptor, bytes.baseAddress! + connection.outputOffset, bytes.count - connection.outputOffset, Int32(MSG_NOSIGNAL))
                }
                if written > 0 {
                    connection.outputOffset += written
                    continue
                }
                let code = errno
                if written < 0, code == EINTR {
                    continue
                }
                if written < 0, code == EAGAIN || code == EWOULDBLOCK {
                    // The next EPOLLOUT edge continues.
                    return
                }
                end(connection, termination: "write_error")
                return
            }
            connection.output.removeAll(keepingCapacity: true)
            connection.outputOffset = 0
            guard let stream = connection.stream else {
                finish(connection)
                return
            }
            guard readStream(stream, into: connection) else { return }
        }
    }

    /// Moves the bytes buffered in the body stream into the output. Returns
    /// false when nothing is left to write until the producer resumes the connection.
    private func readStream(_ stream: HTTPBodyStream, into connection: LoopConnection) -> Bool {
        let result = stream.read(into: scratch.baseAddress!, maxBytes: scratch.count, suspend: {}, resume: { [self, loop] in
            loop.execute { self.streamResumed(connection) }
        })
        switch result {
        case .bytes(let count):
            if connection.chunked {
                connection.output.append(contentsOf: String(count, radix: 16).utf8)
                connection.output.append(contentsOf: "\r\n".utf8)
            }
            connection.output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            if connection.chunked {
                connection.output.append(contentsOf: "\r\n".utf8)
            }
            connection.exchange?.bodyBytes += count
            return true
        case .suspended:
            return false
        case .end:
            if connection.chunked {
                connection.output.append(contentsOf: "0\r\n\r\n".utf8)
            }
            connection.stream = nil
            return true
        case .error:
            // Closing without the last chunk shows the client that the body is incomplete.
            connection.stream = nil
            end(connection, termination: "stream_failed")
            return false
        }
    }

    private func streamResumed(_ connection: LoopConnection) {
        guard connection.phase == .sending, connection.stream != nil else { return }
        flush(connection)
    }

    /// Ends a complete exchange and reads the next request, if any.
    private func finish(_ connection: LoopConnection) {
        guard let exchange = connection.exchange else { return }
        connection.exchange = nil
        connection.phase = .idle
        inFlight.decrement()
        core.logRequestEnd(
            .completed(status: exchange.status, bodyBytes: exchange.bodyBytes, termination: "completed"),
            metadata: exchange.logMetadata(remoteAddress: connection.remoteAddress), startedAt: exchange.startedAt
        )
        guard exchange.keepAlive else {
            if connection.hasUnreadInput {
                linger(connection)
            } else {
                end(connection, termination: "completed")
            }
            return
        }
        if connection.inputPending || connection.peerClosed {
            // Deferred to the end of the iteration, so pipelined requests do not recurse.
            loop.execute { [self] in
                if connection.phase == .idle {
                    readRequest(connection)
                }
            }
        }
    }

    /// Closes a connection; a request still in flight is logged as aborted.
    private func end(_ connection: LoopConnection, termination: String) {
        guard connection.phase != .gone else { return }
        if let exchange = connection.exchange {
            connection.exchange = nil
            exchange.task?.cancel()
            exchange.cancelUpstream?()
            exchange.cancelUpstream = nil
            inFlight.decrement()
            core.logRequestEnd(.aborted(termination: termination), metadata: exchange.logMetadata(remoteAddress: connection.remoteAddress), startedAt: exchange.startedAt)
        }
        connection.stream?.cancel()
        connection.stream = nil
        connection.phase = .gone
        connections.removeValue(forKey: connection.id)
        close(connection.descriptor)
    }

    // MARK: Timers and shutdown

    /// Closes connections idle or stalled for longer than the connection
    /// timeout, as libmicrohttpd does for its own, and resumes accepting after a pause.
    func runTimersIfDue(now: ContinuousClock.Instant) {
        if let resume = acceptResumesAt, resume <= now {
            acceptResumesAt = nil
            if listener >= 0 {
                _ = moat_epoll_control(epoll, EPOLL_CTL_ADD, listener, EPOLLIN.rawValue, Self.listenTag)
                acceptReady()
            }
        }
        guard let sweep = nextSweep, sweep <= now else { return }
        for connection in Array(connections.values) {
            let quiet = now - connection.lastActivity
            switch connection.phase {
            case .lingering where quiet > Self.lingerLimit:
                end(connection, termination: "completed")
            case .idle where idleTimeout.map { quiet > $0 } ?? false:
                end(connection, termination: "timeout")
            case .sending where connection.hasUnsentOutput && (idleTimeout.map { quiet > $0 } ?? false):
                end(connection, termination: "timeout")
            default:
                continue
            }
        }
        nextSweep = connections.isEmpty ? nil : now + .seconds(1)
    }

    /// Ends every connection before the loop stops: a request whose response
    /// is not ready gets the 503 `shutting_down` problem if the socket takes it.
    func shutDown() {
        stopListening()
        for connection in Array(connections.values) {
            if connection.phase == .waiting, let exchange = connection.exchange {
                exchange.task?.cancel()
                exchange.keepAlive = false
                respond(ConnectionStateMachine.shuttingDown.response(requestID: exchange.requestID), to: exchange, on: connection)
            }
            end(connection, termination: "daemon_shutdown")
        }
    }
}

/// The `Date` field (RFC 9110 §6.6.1), formatted once per second.
private struct DateField {
    private var second: time_t = 0
    private var cached: [UInt8] = []

    mutating func line(now: time_t) -> [UInt8] {
        if now != second || cached.isEmpty {
            second = now
            var moment = now
            var parts = tm()
            gmtime_r(&moment, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = strftime(&buffer, buffer.count, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &parts)
            cached = buffer.prefix(count).map { UInt8(bitPattern: $0) }
        }
        return cached
    }
}
