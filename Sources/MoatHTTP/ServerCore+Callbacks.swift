import CMicroHTTPD
import Foundation
import MoatCore

/// The libmicrohttpd callbacks. Each receives the retained ``ServerCore`` as
/// its closure pointer and forwards to a method, keeping C types at the edge.
enum MicroHTTPDCallbacks {
    /// Rejects connections once the server drains, so that libmicrohttpd closes them right after accepting.
    static let acceptPolicy: MHD_AcceptPolicyCallback = { cls, _, _ in
        guard let cls else { return .NO }
        return Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue().isAcceptingWork ? .YES : .NO
    }

    static let uriLog: moat_mhd_uri_log_callback = { cls, uri, connection in
        guard let cls, let connection else { return nil }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        let target = uri.map { String(cString: $0) } ?? ""
        let context = ConnectionContext(connection: connection, target: target, maxBodyBytes: core.configuration.maxBodyBytes)
        // Set here so that a request rejected by libmicrohttpd before the access handler still logs its peer.
        context.remoteAddress = ServerCore.remoteAddress(connection)
        core.register(context)
        // Released in `completed`, which libmicrohttpd calls for every request that reached this callback.
        return Unmanaged.passRetained(context).toOpaque()
    }

    static let access: MHD_AccessHandlerCallback = { cls, connection, _, method, _, uploadData, uploadDataSize, contextSlot in
        guard let cls, let connection, let slot = contextSlot?.pointee else { return .NO }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        let context = Unmanaged<ConnectionContext>.fromOpaque(slot).takeUnretainedValue()
        if core.streamingResponder != nil {
            return core.accessStreaming(context, connection: connection, method: method, uploadData: uploadData, uploadDataSize: uploadDataSize)
        }
        return core.access(context, connection: connection, method: method, uploadData: uploadData, uploadDataSize: uploadDataSize)
    }

    static let completed: MHD_RequestCompletedCallback = { cls, _, contextSlot, termination in
        guard let cls, let slot = contextSlot?.pointee else { return }
        contextSlot?.pointee = nil
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        let context = Unmanaged<ConnectionContext>.fromOpaque(slot).takeRetainedValue()
        if core.streamingResponder != nil {
            core.completedStreaming(context, termination: termination)
        } else {
            core.completed(context, termination: termination)
        }
    }

    static let errorLog: MHD_LogCallback = { cls, format, arguments in
        guard let cls, let format, let arguments else { return }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        var buffer = [CChar](repeating: 0, count: 512)
        _ = vsnprintf(&buffer, buffer.count, format, arguments)
        let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // The access handler closes a connection on purpose (a client that left,
        // a body over the limit), and the access line gives the reason.
        guard message != ServerCore.deliberateCloseMessage else { return }
        // libmicrohttpd reports failures here without a request id. Most are
        // caused by clients (oversized or malformed requests), hence notice, not warning.
        core.logger.notice("libmicrohttpd reported an error", metadata: ["moat.error": message])
    }
}

extension ServerCore {
    /// The message libmicrohttpd 0.9.75 logs each time the access handler returns `MHD_NO`.
    static let deliberateCloseMessage = "Application reported internal error, closing connection."

    func access(
        _ context: ConnectionContext,
        connection: OpaquePointer,
        method: UnsafePointer<CChar>?,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>?
    ) -> MHD_Result {
        context.withLock { context in
            let action: ConnectionStateMachine.Action
            let uploadCount = uploadDataSize?.pointee ?? 0
            if case .awaitingHead = context.machine.state {
                action = context.machine.receive(readHead(context, connection: connection, method: method))
            } else if uploadCount > 0, let uploadData, let uploadDataSize {
                action = context.machine.receive(.bodyReceived(byteCount: uploadCount))
                if case .continueReading = action {
                    uploadData.withMemoryRebound(to: UInt8.self, capacity: uploadCount) { context.body.append($0, count: uploadCount) }
                    uploadDataSize.pointee = 0
                }
            } else {
                action = context.machine.receive(.requestComplete(acceptingWork: isAcceptingWork))
            }
            return perform(action, context)
        }
    }

    func completed(_ context: ConnectionContext, termination: MHD_RequestTerminationCode) {
        context.withLock { context in
            let action = context.machine.receive(.connectionCompleted)
            logCompletion(context, action: action, termination: Self.name(of: termination))
        }
        unregister(context)
    }

    /// Reads the head into `context` and returns the event for the state machine.
    func readHead(_ context: ConnectionContext, connection: OpaquePointer, method: UnsafePointer<CChar>?) -> ConnectionStateMachine.Event {
        context.method = method.map { String(cString: $0) } ?? ""
        let (headers, fieldBytes) = Self.requestHeaders(connection)
        context.headers = headers
        if let offered = context.headers["X-Request-Id"], RequestID.isAcceptable(offered) {
            context.requestID = offered
        }

        let contentLength = context.headers["Content-Length"].flatMap { Int($0) }
        if let rejection = headSizeRejection(context, fieldBytes: fieldBytes) {
            return .headReceived(contentLength: contentLength, rejection: rejection)
        }
        do {
            let target = try RequestTarget.parse(context.target)
            context.parsedTarget = target
            context.loggedPath = target.path
            return .headReceived(contentLength: contentLength, rejection: nil)
        } catch {
            return .headReceived(contentLength: contentLength, rejection: .badRequest(code: "invalid_target", error.reason))
        }
    }

    private func perform(_ action: ConnectionStateMachine.Action, _ context: ConnectionContext) -> MHD_Result {
        switch action {
        case .continueReading:
            return .YES
        case .queue(let reply):
            return queue(finalize(reply, for: context), context)
        case .suspendAndRunHandler:
            MHD_suspend_connection(context.connection)
            let request = HTTPRequest(
                method: context.method, target: context.target,
                parsedTarget: context.parsedTarget ?? RequestTarget(path: "", queryItems: []),
                headers: context.headers, body: context.body,
                remoteAddress: context.remoteAddress, requestID: context.requestID
            )
            context.body = Data()
            context.handlerTask = Task(executorPreference: HandlerExecutor.shared) { [responder] in
                let response = await responder.respond(to: request)
                self.handlerFinished(context, response)
            }
            return .YES
        case .closeConnection(let reason):
            context.abortReason = reason.rawValue
            return .NO
        case .resumeConnection, .logCompleted, .logAborted, .none:
            preconditionFailure("access handler cannot carry out \(action)")
        }
    }

    /// Hands `response` to libmicrohttpd, which copies the body and the fields.
    private func queue(_ response: HTTPResponse, _ context: ConnectionContext) -> MHD_Result {
        guard let handle = Self.makeResponse(response) else {
            logger.error("response rejected by libmicrohttpd", metadata: context.logMetadata)
            let fallback = finalize(.problem(.internalError()), for: context)
            guard let fallbackHandle = Self.makeResponse(fallback) else { return .NO }
            return submit(fallbackHandle, status: fallback.status, bodyBytes: fallback.body.count, context)
        }
        return submit(handle, status: response.status, bodyBytes: response.body.count, context)
    }

    func submit(_ handle: OpaquePointer, status: Int, bodyBytes: Int, _ context: ConnectionContext) -> MHD_Result {
        defer { MHD_destroy_response(handle) }
        let result = MHD_queue_response(context.connection, UInt32(status), handle)
        guard result == .YES else {
            logger.error("queueing the response failed", metadata: context.logMetadata)
            return .NO
        }
        context.sentStatus = status
        context.sentBodyBytes = context.method == "HEAD" ? 0 : bodyBytes
        return .YES
    }

    /// Builds a libmicrohttpd response, or returns nil when it rejects a field.
    static func makeResponse(_ response: HTTPResponse) -> OpaquePointer? {
        let created = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let handle = created else { return nil }
        for field in response.headers where MHD_add_response_header(handle, field.name, field.value) != .YES {
            MHD_destroy_response(handle)
            return nil
        }
        return handle
    }

    /// Resumes a suspended connection; call with the context's lock held.
    func resume(_ context: ConnectionContext) {
        MHD_resume_connection(context.connection)
    }

    /// Returns the request's header fields and their size on the wire, counting
    /// `name: value` and CRLF for each field.
    private static func requestHeaders(_ connection: OpaquePointer) -> (HTTPHeaders, Int) {
        var collected = (HTTPHeaders(), 0)
        withUnsafeMutablePointer(to: &collected) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, { cls, _, key, keySize, value, valueSize in
                guard let cls, let key else { return .YES }
                let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
                let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
                let collected = cls.assumingMemoryBound(to: (HTTPHeaders, Int).self)
                collected.pointee.0.add(name, text)
                collected.pointee.1 += keySize + valueSize + 4
                return .YES
            }, pointer)
        }
        return collected
    }

    static func remoteAddress(_ connection: OpaquePointer) -> String {
        guard let address = moat_mhd_client_address(connection) else { return "" }
        return remoteAddress(address)
    }

    /// Returns the numeric form of an IPv4 or IPv6 socket address, or "" for another family.
    static func remoteAddress(_ address: UnsafePointer<sockaddr>) -> String {
        // inet_ntop into a stack buffer: getnameinfo with a NI_MAXHOST array was a visible per-request cost.
        let family = Int32(address.pointee.sa_family)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer -> String in
            let written: UnsafePointer<CChar>?
            if family == AF_INET6 {
                written = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                    withUnsafePointer(to: ipv6.pointee.sin6_addr) { inet_ntop(family, $0, buffer.baseAddress, socklen_t(buffer.count)) }
                }
            } else if family == AF_INET {
                written = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                    withUnsafePointer(to: ipv4.pointee.sin_addr) { inet_ntop(family, $0, buffer.baseAddress, socklen_t(buffer.count)) }
                }
            } else {
                written = nil
            }
            return written.map { String(cString: $0) } ?? ""
        }
    }

    static func name(of termination: MHD_RequestTerminationCode) -> String {
        switch termination {
        case .REQUEST_TERMINATED_COMPLETED_OK: "completed"
        case .REQUEST_TERMINATED_TIMEOUT_REACHED: "timeout"
        case .REQUEST_TERMINATED_DAEMON_SHUTDOWN: "daemon_shutdown"
        case .REQUEST_TERMINATED_READ_ERROR: "read_error"
        case .REQUEST_TERMINATED_CLIENT_ABORT: "client_abort"
        default: "error"
        }
    }
}
