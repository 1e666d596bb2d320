import CMicroHTTPD
import Foundation
import MoatCore

/// The access path of servers with an ``HTTPStreamingResponder``: the handler
/// starts at the request head, the body streams into an ``HTTPRequestBody``,
/// and the response may stream or upgrade the connection.
extension ServerCore {
    func accessStreaming(
        _ context: ConnectionContext,
        connection: OpaquePointer,
        method: UnsafePointer<CChar>?,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>?
    ) -> MHD_Result {
        var startHandler: (() -> Void)?
        let result = accessStreamingStep(
            context, connection: connection, method: method, uploadData: uploadData, uploadDataSize: uploadDataSize, start: &startHandler
        )
        // Outside the lock, because a callback or loop responder may complete at once.
        startHandler?()
        return result
    }

    /// One pass of the access handler; sets `start` when a handler is to run.
    private func accessStreamingStep(
        _ context: ConnectionContext,
        connection: OpaquePointer,
        method: UnsafePointer<CChar>?,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>?,
        start startHandler: inout (() -> Void)?
    ) -> MHD_Result {
        context.withLock { context -> MHD_Result in
            let uploadCount = uploadDataSize?.pointee ?? 0
            if context.streamPhase == .receiving || context.streamPhase == .waitingForHandler, context.gate.hasDeparted {
                // Resumed only to be closed: the client left while the connection was suspended.
                context.streamPhase = .closing
                context.abortReason = ConnectionStateMachine.CloseReason.clientAbort.rawValue
                return .NO
            }
            switch context.streamPhase {
            case .awaitingHead:
                return startStreamingHandler(context, connection: connection, method: method, start: &startHandler)

            case .receiving where uploadCount > 0:
                guard let uploadData, let uploadDataSize, let body = context.requestBody else { return .NO }
                // Only a chunked body can get here past the limit, and libmicrohttpd
                // cannot queue a response while it delivers body data, so the connection is closed.
                guard context.receivedBodyBytes + uploadCount <= configuration.maxBodyBytes else {
                    body.abort()
                    context.streamPhase = .closing
                    context.abortReason = ConnectionStateMachine.CloseReason.bodyTooLarge.rawValue
                    return .NO
                }
                let gate = context.gate
                let offer = body.offer(
                    UnsafeRawBufferPointer(start: uploadData, count: uploadCount),
                    suspend: { gate.suspend() }, resume: { gate.resume() }
                )
                if case .accepted = offer {
                    context.receivedBodyBytes += uploadCount
                    uploadDataSize.pointee = 0
                }
                return .YES

            case .receiving:
                context.requestBody?.finishReceiving()
                return queueOrWait(context)

            case .waitingForHandler:
                return queueOrWait(context)

            // libmicrohttpd 0.9.75 drops a response queued while the daemon shuts
            // down and calls the access handler again; closing is the only way out.
            case .responding, .closing, .completed:
                context.streamPhase = .closing
                context.abortReason = ConnectionStateMachine.CloseReason.responseDropped.rawValue
                return .NO
            }
        }
    }

    /// Reads the head, applies the limits that need no handler, and starts the handler.
    private func startStreamingHandler(
        _ context: ConnectionContext, connection: OpaquePointer, method: UnsafePointer<CChar>?, start: inout (() -> Void)?
    ) -> MHD_Result {
        guard case .headReceived(let contentLength, let rejection) = readHead(context, connection: connection, method: method) else {
            return .NO
        }
        if let rejection {
            return queueEarly(.problem(rejection), context)
        }
        if let contentLength, contentLength > configuration.maxBodyBytes {
            return queueEarly(.problem(ConnectionStateMachine.bodyTooLarge(configuration.maxBodyBytes)), context)
        }
        guard isAcceptingWork, let streamingResponder else {
            return queueEarly(.problem(ConnectionStateMachine.shuttingDown), context)
        }

        // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 §6.3).
        let isChunked = context.headers["Transfer-Encoding"] != nil
        let body = HTTPRequestBody(announcedLength: contentLength ?? (isChunked ? nil : 0))
        if body.announcedLength == 0 {
            // Complete already, so a responder running inline on this thread can read it to the end.
            body.finishReceiving()
        }
        context.requestBody = body
        context.streamPhase = .receiving
        context.gate.watchDeparture(SuspensionGate.Departure(logger: logger) { [weak context] in
            context?.withLock { $0.requestBody }?.noteClientLeft()
        })
        let request = HTTPRequest(
            method: context.method, target: context.target,
            parsedTarget: context.parsedTarget ?? RequestTarget(path: "", queryItems: []),
            headers: context.headers, body: Data(),
            remoteAddress: context.remoteAddress, requestID: context.requestID
        )
        if body.announcedLength == 0, let loopResponder, let loop = EventLoop.current {
            start = { self.respondOnLoop(loopResponder, to: request, body: body, context: context, loop: loop) }
            return .YES
        }
        if let callbackResponder = streamingResponder as? any HTTPCallbackResponder {
            start = {
                callbackResponder.respond(to: request, body: body) { response in
                    self.streamingHandlerFinished(context, response)
                }
            }
            return .YES
        }
        context.handlerTask = Task(executorPreference: HandlerExecutor.shared) {
            let response = await streamingResponder.respond(to: request, body: body)
            self.streamingHandlerFinished(context, response)
        }
        return .YES
    }

    private func queueEarly(_ reply: ConnectionStateMachine.Reply, _ context: ConnectionContext) -> MHD_Result {
        context.streamPhase = .responding
        return queueStreaming(finalize(reply, for: context), context)
    }

    /// Queues the handler's response once the body is complete, or suspends until the handler returns.
    private func queueOrWait(_ context: ConnectionContext) -> MHD_Result {
        if let response = context.pendingResponse {
            context.pendingResponse = nil
            context.streamPhase = .responding
            var finalized = finalize(.response(response), for: context)
            if response.bodyStream != nil, finalized.bodyStream == nil {
                // `finalize` replaced an invalid response with a problem, so the stream has no reader.
                response.bodyStream?.cancel()
            }
            if finalized.status == 101, finalized.upgradeHandler == nil {
                logger.error("101 response has no upgrade handler", metadata: context.logMetadata)
                finalized = finalize(.problem(.internalError()), for: context)
            }
            return queueStreaming(finalized, context)
        }
        context.streamPhase = .waitingForHandler
        context.gate.suspend()
        return .YES
    }

    func streamingHandlerFinished(_ context: ConnectionContext, _ response: HTTPResponse) {
        let accepted = context.withLock { context in
            switch context.streamPhase {
            case .receiving, .waitingForHandler:
                context.pendingResponse = response
                if context.streamPhase == .waitingForHandler {
                    context.gate.resume()
                }
                return true
            default:
                return false
            }
        }
        if !accepted {
            response.bodyStream?.cancel()
        }
        // A response that neither streams nor upgrades ends the handler's interest in the upload.
        if response.bodyStream == nil && response.upgradeHandler == nil {
            context.withLock { $0.requestBody }?.discard()
        }
    }

    /// Hands a response to libmicrohttpd: buffered, streamed through the
    /// content-reader callback, or as a 101 that upgrades the connection.
    private func queueStreaming(_ response: HTTPResponse, _ context: ConnectionContext) -> MHD_Result {
        let handle: OpaquePointer?
        if response.status == 101, let upgradeHandler = response.upgradeHandler {
            context.upgradeHandler = upgradeHandler
            handle = MHD_create_response_for_upgrade(MicroHTTPDCallbacks.upgrade, Unmanaged.passUnretained(self).toOpaque())
        } else if let stream = response.bodyStream {
            context.responseStream = stream
            let box = StreamReaderBox(stream: stream, gate: context.gate, context: context)
            let size = response.bodyLength.map { UInt64($0) } ?? UInt64.max
            // The free callback releases the box and cancels the stream when libmicrohttpd is done with it.
            handle = MHD_create_response_from_callback(
                size, 32 * 1024, MicroHTTPDCallbacks.streamReader, Unmanaged.passRetained(box).toOpaque(), MicroHTTPDCallbacks.streamFree
            )
        } else {
            return queueBuffered(response, context)
        }
        guard let handle else {
            logger.error("response rejected by libmicrohttpd", metadata: context.logMetadata)
            response.bodyStream?.cancel()
            return .NO
        }
        for field in response.headers where MHD_add_response_header(handle, field.name, field.value) != .YES {
            logger.error("response header rejected by libmicrohttpd", metadata: context.logMetadata.merging(["moat.http.header": field.name]) { $1 })
        }
        return submit(handle, status: response.status, bodyBytes: 0, context)
    }

    private func queueBuffered(_ response: HTTPResponse, _ context: ConnectionContext) -> MHD_Result {
        guard let handle = Self.makeResponse(response) else {
            logger.error("response rejected by libmicrohttpd", metadata: context.logMetadata)
            let fallback = finalize(.problem(.internalError()), for: context)
            guard let fallbackHandle = Self.makeResponse(fallback) else { return .NO }
            return submit(fallbackHandle, status: fallback.status, bodyBytes: fallback.body.count, context)
        }
        return submit(handle, status: response.status, bodyBytes: response.body.count, context)
    }

    /// Runs the upgrade handler of a connection whose 101 response was sent.
    func upgraded(_ context: ConnectionContext, bufferedInput: Data, socket: Int32, handle: OpaquePointer) {
        let handler = context.withLock { $0.upgradeHandler }
        let connection = UpgradedConnection(socket: socket, bufferedInput: bufferedInput, handle: handle) { [weak self] connection in
            self?.unregister(connection)
        }
        guard let handler else {
            connection.close()
            return
        }
        // libmicrohttpd's event loop made the socket non-blocking; the handler owns it now and gets a blocking one.
        let flags = fcntl(socket, F_GETFL)
        if flags >= 0 {
            _ = fcntl(socket, F_SETFL, flags & ~O_NONBLOCK)
        }
        register(connection)
        logger.debug("connection upgraded", metadata: context.logMetadata)
        // libmicrohttpd calls this on its event loop, which must not block.
        Thread.detachNewThread {
            handler(connection)
        }
    }

    func completedStreaming(_ context: ConnectionContext, termination: MHD_RequestTerminationCode) {
        let (action, body, stream) = context.withLock { context in
            context.gate.finish()
            let action: ConnectionStateMachine.Action = context.streamPhase == .responding ? .logCompleted : .logAborted
            context.streamPhase = .completed
            return (action, context.requestBody, context.responseStream)
        }
        body?.abort()
        stream?.cancel()
        let name = context.gate.hasDeparted ? ConnectionStateMachine.CloseReason.clientAbort.rawValue : Self.name(of: termination)
        context.withLock { logCompletion($0, action: action, termination: name) }
        unregister(context)
    }

    /// Ends every streaming exchange at shutdown: waiting handlers get a 503,
    /// suspended uploads abort and streamed bodies fail, so no connection stays
    /// suspended when libmicrohttpd stops.
    func abandonStreamingExchanges() {
        guard streamingResponder != nil else { return }
        for context in allContexts() {
            let (body, stream) = context.withLock { context -> (HTTPRequestBody?, HTTPBodyStream?) in
                if context.streamPhase == .waitingForHandler || context.streamPhase == .receiving {
                    context.handlerTask?.cancel()
                    context.pendingResponse = ConnectionStateMachine.shuttingDown.response(requestID: context.requestID)
                    context.gate.resume()
                }
                return (context.requestBody, context.responseStream)
            }
            body?.abort()
            stream?.fail()
        }
    }
}

extension ConnectionContext {
    /// Whether a streaming request has reached its handler and not yet completed.
    var isStreamingInFlight: Bool {
        switch streamPhase {
        case .receiving, .waitingForHandler, .responding: true
        case .awaitingHead, .closing, .completed: false
        }
    }
}

extension MicroHTTPDCallbacks {
    static let streamReader: MHD_ContentReaderCallback = { cls, _, buffer, maxBytes in
        guard let cls, let buffer else { return -2 }
        let box = Unmanaged<StreamReaderBox>.fromOpaque(cls).takeUnretainedValue()
        return box.read(into: buffer, maxBytes: maxBytes)
    }

    static let streamFree: MHD_ContentReaderFreeCallback = { cls in
        guard let cls else { return }
        Unmanaged<StreamReaderBox>.fromOpaque(cls).takeRetainedValue().stream.cancel()
    }

    static let upgrade: MHD_UpgradeHandler = { cls, _, contextSlot, extraInput, extraCount, socket, handle in
        guard let cls, let contextSlot, let handle else { return }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        let context = Unmanaged<ConnectionContext>.fromOpaque(contextSlot).takeUnretainedValue()
        let buffered = extraInput.map { Data(bytes: $0, count: extraCount) } ?? Data()
        core.upgraded(context, bufferedInput: buffered, socket: socket, handle: handle)
    }
}
