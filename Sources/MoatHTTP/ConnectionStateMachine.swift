/// The lifecycle of one request on a libmicrohttpd connection, without I/O.
///
/// libmicrohttpd calls the access handler once when the head is parsed,
/// once per piece of body, and once more when the body is complete. On
/// that last call the bridge suspends the connection and runs the handler
/// on a Swift task, so no network thread waits for it. When the handler
/// finishes the bridge resumes the connection, and libmicrohttpd calls the
/// access handler again, which queues the stored response.
///
/// The bridge feeds each callback in as an ``Event`` and carries out the
/// returned ``Action``. An event that cannot happen in the current state
/// traps with a message naming the event and the state (the `default` case
/// of ``receive(_:)``).
struct ConnectionStateMachine {
    enum State {
        case awaitingHead
        case receivingBody(receivedBytes: Int)
        /// The connection is suspended and the handler runs.
        case handling
        /// The connection was resumed and the next access call queues this reply.
        case replyReady(Reply)
        /// A response was queued; libmicrohttpd is sending it.
        case responding
        /// The body grew past the limit and the connection is being closed.
        case closing
        case completed
    }

    /// The reply to send: a handler's response or a problem raised by the server.
    enum Reply {
        case response(HTTPResponse)
        case problem(ProblemDetails)
    }

    enum Event {
        /// First access call; `rejection` is set when the head is unacceptable.
        case headReceived(contentLength: Int?, rejection: ProblemDetails?)
        case bodyReceived(byteCount: Int)
        /// The access call after the body, or after a resume.
        case requestComplete(acceptingWork: Bool)
        case handlerFinished(HTTPResponse)
        /// The server is stopping and will not wait for the handler any longer.
        case shutdownDeadlinePassed
        /// libmicrohttpd's request-completed notification.
        case connectionCompleted
    }

    /// The cause of closing a connection without a response, logged as `moat.http.termination`.
    enum CloseReason: String {
        case bodyTooLarge = "body_too_large"
        case responseDropped = "response_dropped"
        /// The client left while its connection was suspended, as libmicrohttpd names a client's abort.
        case clientAbort = "client_abort"
    }

    enum Action {
        /// Return MHD_YES and keep reading.
        case continueReading
        /// Queue this reply now.
        case queue(Reply)
        /// Suspend the connection and start the handler.
        case suspendAndRunHandler
        /// Resume the suspended connection so libmicrohttpd calls the access handler again.
        case resumeConnection
        /// Return MHD_NO so libmicrohttpd closes the connection without a response.
        case closeConnection(CloseReason)
        /// Write the access log line of a request that got a response.
        case logCompleted
        /// Log a request that ended without a response.
        case logAborted
        /// Nothing to do, for example a handler result arriving after shutdown.
        case none
    }

    private(set) var state: State = .awaitingHead
    let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Whether the request has reached its handler and not yet completed;
    /// ``HTTPServer/stop()`` waits for these.
    var isInFlight: Bool {
        switch state {
        case .handling, .replyReady, .responding: true
        case .awaitingHead, .receivingBody, .closing, .completed: false
        }
    }

    mutating func receive(_ event: Event) -> Action {
        switch (state, event) {
        case (.awaitingHead, .headReceived(let contentLength, let rejection)):
            if let rejection {
                state = .responding
                return .queue(.problem(rejection))
            }
            // Rejecting on the announced length sends the 413 before any body byte is read.
            if let contentLength, contentLength > maxBodyBytes {
                state = .responding
                return .queue(.problem(Self.bodyTooLarge(maxBodyBytes)))
            }
            state = .receivingBody(receivedBytes: 0)
            return .continueReading

        case (.receivingBody(let received), .bodyReceived(let count)):
            // Only a chunked body can get here past the limit, and libmicrohttpd
            // cannot queue a response while it delivers body data, so the
            // connection is closed instead.
            guard received + count <= maxBodyBytes else {
                state = .closing
                return .closeConnection(.bodyTooLarge)
            }
            state = .receivingBody(receivedBytes: received + count)
            return .continueReading

        case (.receivingBody, .requestComplete(let acceptingWork)):
            guard acceptingWork else {
                state = .responding
                return .queue(.problem(Self.shuttingDown))
            }
            state = .handling
            return .suspendAndRunHandler

        case (.handling, .handlerFinished(let response)):
            state = .replyReady(.response(response))
            return .resumeConnection

        case (.handling, .shutdownDeadlinePassed):
            state = .replyReady(.problem(Self.shuttingDown))
            return .resumeConnection

        case (.replyReady(let reply), .requestComplete):
            state = .responding
            return .queue(reply)

        // libmicrohttpd 0.9.75 accepts but drops a response queued while the
        // daemon shuts down, then calls the access handler again. Closing is
        // the only way out, because returning MHD_YES would make it call again at once.
        case (.responding, .requestComplete):
            state = .closing
            return .closeConnection(.responseDropped)

        // A handler that outlived the shutdown deadline: its connection already
        // has the 503 (or is gone), so the result is dropped.
        case (.replyReady, .handlerFinished), (.responding, .handlerFinished), (.closing, .handlerFinished), (.completed, .handlerFinished):
            return .none

        case (_, .shutdownDeadlinePassed):
            return .none

        case (.responding, .connectionCompleted):
            state = .completed
            return .logCompleted

        case (.awaitingHead, .connectionCompleted), (.receivingBody, .connectionCompleted),
            (.handling, .connectionCompleted), (.replyReady, .connectionCompleted), (.closing, .connectionCompleted):
            state = .completed
            return .logAborted

        default:
            preconditionFailure("connection state machine received \(event) in state \(state)")
        }
    }

    static func bodyTooLarge(_ limit: Int) -> ProblemDetails {
        .payloadTooLarge("request body exceeds the limit of \(limit) bytes")
    }

    static let shuttingDown = ProblemDetails.serviceUnavailable(code: "shutting_down", "the server is shutting down")
}
