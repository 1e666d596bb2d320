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
        _ = moat_curl_multi_setopt_socket_callback(multi) { _, socket, what, context, socketContext in
            guard let context else { return 0 }
            Unmanaged<LoopUpstream>.fromOpaque(context).takeUnretainedValue().watch(socket, what: what, registered: socketContext != nil)
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
    /// the response head (the body may still stream) or the failure before it.
    func start(_ request: StreamingClientRequest, onHead: @escaping (Result<StreamingClientResponse, HTTPClientError>) -> Void) {
        let transfer: StreamingCurlTransfer
        // These methods get an empty body, so libcurl sends Content-Length: 0.
        let emptyBody = ["POST", "PUT", "PATCH"].contains(request.method) ? HTTPRequestBody(Data()) : nil
        do {
            transfer = try StreamingCurlTransfer(request, body: emptyBody)
        } catch {
            onHead(.failure(error))
            return
        }
        let reused = idleHandles.popLast()
        guard let easy = reused ?? curl_easy_init() else {
            onHead(.failure(HTTPClientError(.transferFailed, "libcurl could not allocate a handle for \(request.url.host ?? "")")))
            return
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
            return
        }
    }

    /// Passes epoll events on a libcurl socket to libcurl.
    func socketReady(_ socket: Int32, events: UInt32) {
        var mask: Int32 = 0
        if events & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
        if events & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, socket, mask, &running)
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

    private func watch(_ socket: Int32, what: Int32, registered: Bool) {
        if what == CURL_POLL_REMOVE {
            // libcurl removes a socket before closing it, so the descriptor is still valid here.
            _ = moat_epoll_control(epoll, EPOLL_CTL_DEL, socket, 0, 0)
            return
        }
        var events: UInt32 = 0
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { events |= EPOLLIN.rawValue }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { events |= EPOLLOUT.rawValue }
        let tag = Self.socketTag + UInt64(UInt32(bitPattern: socket))
        if registered, moat_epoll_control(epoll, EPOLL_CTL_MOD, socket, events, tag) == 0 {
            return
        }
        if moat_epoll_control(epoll, EPOLL_CTL_ADD, socket, events, tag) != 0 {
            var code = errno
            if code == EEXIST {
                code = moat_epoll_control(epoll, EPOLL_CTL_MOD, socket, events, tag) == 0 ? 0 : errno
            }
            if code != 0 {
                // The transfer then sees no events and ends with libcurl's own timeout.
                logger.error("upstream socket could not be watched", metadata: [
                    "moat.http.loop": String(loop.index), "moat.error": String(cString: strerror(code)),
                ])
            }
        }
        // Any non-nil pointer marks the socket as registered for later calls.
        _ = curl_multi_assign(multi, socket, UnsafeMutableRawPointer(bitPattern: 1))
    }

    private func setTimer(_ milliseconds: Int) {
        timerDeadline = milliseconds < 0 ? nil : ContinuousClock.now + .milliseconds(milliseconds)
    }
}
