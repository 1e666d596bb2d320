import CCurl
import CMicroHTTPD
import Foundation
import MoatCore

/// The libcurl multi handle of one ``EventLoop``, driven by the multi-socket
/// API (`curl_multi_socket_action`): libcurl reports the sockets it needs
/// through `CURLMOPT_SOCKETFUNCTION`, which go into the loop's epoll, and its
/// next deadline through `CURLMOPT_TIMERFUNCTION`.
///
/// Every method runs on the loop's thread. Easy handles are kept for reuse,
/// and the multi handle's connection cache keeps upstream connections open
/// between transfers.
final class LoopUpstream {
    private let multi: UnsafeMutableRawPointer
    private let epoll: Int32
    private unowned let loop: EventLoop
    private let logger: Logger
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private var transfers: [UnsafeMutableRawPointer: StreamingCurlTransfer] = [:]
    /// When libcurl wants `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)`; nil when it set no timer.
    private(set) var timerDeadline: ContinuousClock.Instant?
    /// Every libcurl socket registered in epoll, by descriptor.
    private var watchedSockets: [Int32: WatchedSocket] = [:]

    private struct WatchedSocket {
        /// EPOLLIN and EPOLLOUT as libcurl last requested them; 0 after `CURL_POLL_REMOVE`.
        var requestedEvents: UInt32
        /// False after the one event of an `EPOLLONESHOT` registration was reported.
        var armed: Bool
    }

    /// The epoll tag of a libcurl socket is this value plus the descriptor.
    static let socketTag: UInt64 = 2 << 32
    /// Idle upstream connections kept per loop. libcurl's default limit is four
    /// per easy handle in the multi, which closes warm connections whenever few
    /// transfers run at the same time.
    static let maxCachedConnections = 256

    init?(epoll: Int32, loop: EventLoop, logger: Logger) {
        CurlLibrary.initialize()
        guard let multi = curl_multi_init() else { return nil }
        self.multi = multi
        self.epoll = epoll
        self.loop = loop
        self.logger = logger
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = moat_curl_multi_setopt_socket_callback(multi) { _, socket, what, context, _ in
            guard let context else { return 0 }
            Unmanaged<LoopUpstream>.fromOpaque(context).takeUnretainedValue().watch(socket, what: what)
            return 0
        }
        _ = moat_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        _ = moat_curl_multi_setopt_timer_callback(multi) { _, milliseconds, context in
            guard let context else { return 0 }
            Unmanaged<LoopUpstream>.fromOpaque(context).takeUnretainedValue().setTimer(milliseconds)
            return 0
        }
        _ = moat_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context)
        _ = moat_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, Self.maxCachedConnections)
    }

    /// Starts `request` and calls `onHead` on this thread exactly once, with
    /// the response head (the body may still stream) or the failure before it,
    /// unless the transfer is cancelled first.
    ///
    /// - Returns: a closure that cancels the transfer before its head arrives
    ///   (see ``cancel(_:transfer:)``), or nil when `onHead` already ran.
    @discardableResult
    func start(_ request: StreamingClientRequest, onHead: @escaping (Result<StreamingClientResponse, HTTPClientError>) -> Void) -> (() -> Void)? {
        let transfer: StreamingCurlTransfer
        // These methods get an empty body, so libcurl sends Content-Length: 0.
        let emptyBody: HTTPRequestBody?
        switch request.method {
        case "POST", "PUT", "PATCH": emptyBody = HTTPRequestBody(Data())
        default: emptyBody = nil
        }
        do {
            transfer = try StreamingCurlTransfer(request, body: emptyBody)
        } catch {
            onHead(.failure(error))
            return nil
        }
        let reused = idleHandles.popLast()
        guard let easy = reused ?? curl_easy_init() else {
            onHead(.failure(HTTPClientError(.transferFailed, "libcurl could not allocate a handle for \(request.origin)")))
            return nil
        }
        transfer.onEventLoop = true
        transfer.onHead = onHead
        transfer.streamCreated = { [unowned self, unowned transfer] stream in
            let loop = self.loop
            stream.installProducerHooks(
                onDrain: { [weak transfer] in loop.execute { transfer.map { self.unpause(easy, transfer: $0) } } },
                onReaderGone: { [weak transfer] in loop.execute { transfer.map { self.abort(easy, transfer: $0) } } }
            )
        }
        // A reused handle keeps the fixed options of its earlier transfers.
        transfer.prepare(easy, reusing: reused != nil)
        transfers[easy] = transfer
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            transfers[easy] = nil
            idleHandles.append(easy)
            transfer.finishTransfer(CURLE_FAILED_INIT)
            return nil
        }
        return { [weak self, weak transfer] in
            guard let self, let transfer else { return }
            cancel(easy, transfer: transfer)
        }
    }

    /// Ends a transfer whose client went away before the response head
    /// arrived, without calling its `onHead`. Removing the handle closes its
    /// upstream connection, as ``LoopHTTPClient/cancel(_:)`` does.
    private func cancel(_ easy: UnsafeMutableRawPointer, transfer: StreamingCurlTransfer) {
        guard transfers[easy] === transfer, transfer.onHead != nil else { return }
        transfer.onHead = nil
        logger.debug("upstream transfer cancelled before its head", metadata: ["moat.http.upstream": transfer.upstreamOrigin])
        end(easy, transfer: transfer, code: CURLE_ABORTED_BY_CALLBACK)
    }

    /// Passes epoll events on a libcurl socket to libcurl, then re-arms the
    /// socket when libcurl still wants it and did not re-arm it meanwhile.
    func socketReady(_ socket: Int32, events: UInt32) {
        // EPOLLONESHOT disabled the socket when it reported these events.
        watchedSockets[socket]?.armed = false
        var mask: Int32 = 0
        if events & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
        if events & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, socket, mask, &running)
        if let state = watchedSockets[socket], state.requestedEvents != 0, !state.armed {
            arm(socket, requestedEvents: state.requestedEvents)
        }
        finishCompletedTransfers()
    }

    /// Runs libcurl's timeouts (connect, low speed, retries) when its timer is due.
    func runTimerIfDue(now: ContinuousClock.Instant) {
        guard let deadline = timerDeadline, now >= deadline else { return }
        timerDeadline = nil
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        finishCompletedTransfers()
    }

    /// Ends every transfer, then frees the handles; the loop calls it when it stops.
    func shutDown() {
        for (easy, transfer) in transfers {
            end(easy, transfer: transfer, code: CURLE_ABORTED_BY_CALLBACK)
        }
        for easy in idleHandles {
            curl_easy_cleanup(easy)
        }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
    }

    private func finishCompletedTransfers() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle, let transfer = transfers[easy] else { continue }
            end(easy, transfer: transfer, code: message.pointee.data.result)
        }
    }

    private func end(_ easy: UnsafeMutableRawPointer, transfer: StreamingCurlTransfer, code: CURLcode) {
        curl_multi_remove_handle(multi, easy)
        transfers[easy] = nil
        idleHandles.append(easy)
        // Delivers the whole response, the failure, or ends the body stream.
        transfer.finishTransfer(code)
    }

    /// Ends a transfer whose client went away.
    private func abort(_ easy: UnsafeMutableRawPointer, transfer: StreamingCurlTransfer) {
        guard transfers[easy] === transfer else { return }
        end(easy, transfer: transfer, code: CURLE_ABORTED_BY_CALLBACK)
    }

    /// Continues a transfer that a full body stream paused.
    private func unpause(_ easy: UnsafeMutableRawPointer, transfer: StreamingCurlTransfer) {
        guard transfers[easy] === transfer else { return }
        _ = curl_easy_pause(easy, CURLPAUSE_CONT)
    }

    /// Registers a socket that libcurl wants watched, or marks it unused.
    ///
    /// Sockets are registered with `EPOLLONESHOT` and stay in epoll after
    /// `CURL_POLL_REMOVE`, because libcurl removes the socket of a kept-alive
    /// upstream connection after every transfer and adds it back for the next
    /// one. This turns an `EPOLL_CTL_DEL` and an `EPOLL_CTL_ADD` per request
    /// into one `EPOLL_CTL_MOD`. A removed socket that is still armed reports
    /// at most one event (for example the upstream closing an idle
    /// connection) and is not re-armed, so it cannot make the loop spin.
    /// A socket that libcurl closes leaves the epoll set by itself, because
    /// libcurl 7.88 does not duplicate its sockets and epoll(7) drops a
    /// descriptor when its last reference is closed. A later socket with the
    /// same number then gets `ENOENT` from `EPOLL_CTL_MOD` and is added anew.
    private func watch(_ socket: Int32, what: Int32) {
        if what == CURL_POLL_REMOVE {
            watchedSockets[socket]?.requestedEvents = 0
            return
        }
        var requestedEvents: UInt32 = 0
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { requestedEvents |= EPOLLIN.rawValue }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { requestedEvents |= EPOLLOUT.rawValue }
        arm(socket, requestedEvents: requestedEvents)
    }

    /// Adds or re-arms `socket` in epoll for one event of `requestedEvents`.
    private func arm(_ socket: Int32, requestedEvents: UInt32) {
        let events = requestedEvents | EPOLLONESHOT.rawValue
        let tag = Self.socketTag + UInt64(UInt32(bitPattern: socket))
        var code: Int32 = 0
        if watchedSockets[socket] != nil {
            if moat_epoll_control(epoll, EPOLL_CTL_MOD, socket, events, tag) != 0 {
                code = errno
                // ENOENT: the descriptor number was closed and reused since it was registered.
                if code == ENOENT {
                    code = moat_epoll_control(epoll, EPOLL_CTL_ADD, socket, events, tag) == 0 ? 0 : errno
                }
            }
        } else if moat_epoll_control(epoll, EPOLL_CTL_ADD, socket, events, tag) != 0 {
            code = errno
            if code == EEXIST {
                code = moat_epoll_control(epoll, EPOLL_CTL_MOD, socket, events, tag) == 0 ? 0 : errno
            }
        }
        if code != 0 {
            watchedSockets[socket] = nil
            // The transfer then gets no events and ends with libcurl's own timeout.
            logger.error("upstream socket could not be watched", metadata: [
                "moat.http.loop": String(loop.index), "moat.error": String(cString: strerror(code)),
            ])
            return
        }
        watchedSockets[socket] = WatchedSocket(requestedEvents: requestedEvents, armed: true)
    }

    private func setTimer(_ milliseconds: Int) {
        timerDeadline = milliseconds < 0 ? nil : ContinuousClock.now + .milliseconds(milliseconds)
    }
}
