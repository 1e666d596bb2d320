import Foundation
import MoatCore
import Synchronization

/// The part of ``HTTPServer`` that libmicrohttpd's callbacks reach through
/// their closure pointer.
final class ServerCore: Sendable {
    enum Phase: Sendable {
        /// Handlers start for complete requests.
        case running
        /// New complete requests get a 503 problem; running handlers may finish.
        case draining
        /// Running handlers are abandoned; no connection is suspended any more.
        case stopping
    }

    private struct Registry {
        var contexts: [ObjectIdentifier: ConnectionContext] = [:]
        var upgraded: [ObjectIdentifier: UpgradedConnection] = [:]
    }

    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    /// Set for servers whose handlers start at the request head; see ``HTTPStreamingResponder``.
    let streamingResponder: (any HTTPStreamingResponder)?
    /// The streaming responder when it can answer on an event loop, cast once here instead of per request.
    let loopResponder: (any HTTPLoopResponder)?
    let logger: Logger
    private let registry = LockedValue(Registry())
    /// Counters of requests that event loops serve on their own connections
    /// (``LoopServer``), one per loop so that loops share no counter.
    private let loopCounters = LockedValue<[LoopExchangeCounter]>([])
    /// Whether the phase is `running`: an atomic, because every request on
    /// an event loop reads it, and a lock would be one more cache line that
    /// the loop threads pass between them.
    private let acceptingWork = Atomic<Bool>(true)

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, streamingResponder: (any HTTPStreamingResponder)? = nil, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.streamingResponder = streamingResponder
        self.loopResponder = streamingResponder as? any HTTPLoopResponder
        self.logger = logger
    }

    func register(_ connection: UpgradedConnection) {
        registry.withLock { $0.upgraded[ObjectIdentifier(connection)] = connection }
    }

    func unregister(_ connection: UpgradedConnection) {
        registry.withLock { _ = $0.upgraded.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Shuts down every upgraded connection and waits up to `timeout` for
    /// their handlers to close them, because libmicrohttpd must not be
    /// stopped with upgraded connections still open.
    func closeUpgradedConnections(timeout: Duration) async {
        let open = registry.withLock { Array($0.upgraded.values) }
        for connection in open {
            connection.shutDown()
        }
        let deadline = ContinuousClock.now + timeout
        while registry.withLock({ !$0.upgraded.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Every registered connection context, for the streaming shutdown path.
    func allContexts() -> [ConnectionContext] {
        registry.withLock { Array($0.contexts.values) }
    }

    var isAcceptingWork: Bool {
        acceptingWork.load(ordering: .acquiring)
    }

    /// Adds an event loop's counter to ``inFlightCount()``.
    func register(_ counter: LoopExchangeCounter) {
        loopCounters.withLock { $0.append(counter) }
    }

    func register(_ context: ConnectionContext) {
        registry.withLock { $0.contexts[ObjectIdentifier(context)] = context }
    }

    func unregister(_ context: ConnectionContext) {
        registry.withLock { _ = $0.contexts.removeValue(forKey: ObjectIdentifier(context)) }
    }

    func enter(_ phase: Phase) {
        acceptingWork.store(phase == .running, ordering: .releasing)
    }

    /// The number of requests between handler start and completion.
    func inFlightCount() -> Int {
        let contexts = registry.withLock { Array($0.contexts.values) }
        let onLoops = loopCounters.withLock { $0.reduce(0) { $0 + $1.count } }
        return contexts.reduce(onLoops) { count, context in
            count + (context.withLock { $0.machine.isInFlight || $0.isStreamingInFlight } ? 1 : 0)
        }
    }

    /// Replies with a 503 problem to every request whose handler still runs and
    /// resumes its connection, so that libmicrohttpd may be stopped.
    ///
    /// Call only after ``enter(_:)`` with `.stopping`: from then on no
    /// connection is suspended, so none is left suspended when the daemon
    /// stops (libmicrohttpd 0.9.75 panics on that).
    func abandonRunningHandlers() {
        abandonStreamingExchanges()
        let contexts = registry.withLock { Array($0.contexts.values) }
        for context in contexts {
            context.withLock { context in
                let action = context.machine.receive(.shutdownDeadlinePassed)
                guard case .resumeConnection = action else { return }
                logger.warning("handler abandoned at shutdown", metadata: context.logMetadata)
                context.handlerTask?.cancel()
                resume(context)
            }
        }
    }

    /// Stores a handler's response and resumes the connection.
    func handlerFinished(_ context: ConnectionContext, _ response: HTTPResponse) {
        context.withLock { context in
            let action = context.machine.receive(.handlerFinished(response))
            if case .resumeConnection = action {
                resume(context)
            }
        }
    }

    /// Applies the server's header rules to a reply and logs what it hides
    /// from the client.
    ///
    /// 1. A handler failure recorded in the response is logged at error level
    ///    and the reply becomes a 500 `internal_error` problem.
    /// 2. A status outside 200...599 or an invalid header field turns the
    ///    reply into a 500 problem, logged at error level, so a bad field
    ///    never reaches the wire.
    /// 3. `X-Request-Id` is set and the default security fields are added
    ///    when missing.
    func finalize(_ reply: ConnectionStateMachine.Reply, for context: ConnectionContext) -> HTTPResponse {
        finalize(reply, requestID: context.requestID, logMetadata: context.logMetadata)
    }

    /// ``finalize(_:for:)`` for a request known by its id and log metadata.
    func finalize(_ reply: ConnectionStateMachine.Reply, requestID: String, logMetadata: @autoclosure () -> Logger.Metadata) -> HTTPResponse {
        var response: HTTPResponse
        switch reply {
        case .response(let handled):
            response = handled
        case .problem(let problem):
            response = problem.response(requestID: requestID)
            // libmicrohttpd closes the connection after an early reply, so the header announces it.
            response.headers.set("Connection", "close")
        }

        if let failure = response.failure {
            logger.error("request handler failed", metadata: logMetadata().merging(["moat.error": failure]) { $1 })
            // Rebuilt because a response made outside a request, such as a failed
            // `HTTPResponse.json`, carries an empty request id.
            response = ProblemDetails.internalError().response(requestID: requestID)
        }
        // 101 is valid only for an upgrade, which the streaming path supports.
        let isUpgrade = response.status == 101 && response.upgradeHandler != nil && streamingResponder != nil
        if !(200...599).contains(response.status) && !isUpgrade {
            logger.error("response status invalid", metadata: logMetadata().merging(["moat.http.status": String(response.status)]) { $1 })
            response = ProblemDetails.internalError().response(requestID: requestID)
        }
        if case .invalid(let reason) = response.headers.validate() {
            logger.error("response header invalid", metadata: logMetadata().merging(["moat.error": reason]) { $1 })
            response = ProblemDetails.internalError().response(requestID: requestID)
        }

        // libmicrohttpd computes the framing fields from the body.
        response.headers.remove("Content-Length")
        response.headers.set("X-Request-Id", requestID)
        for (name, value) in Self.defaultHeaders where !response.headers.contains(name) {
            response.headers.add(name, value)
        }
        return response
    }

    static let defaultHeaders = [
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// Writes the access log line or the abort line of a finished request.
    func logCompletion(_ context: ConnectionContext, action: ConnectionStateMachine.Action, termination: String) {
        // The metadata is built before `Logger` filters by level, and formatting
        // the duration was a visible per-request cost when info lines are off.
        guard logger.level <= .info else { return }
        switch action {
        case .logCompleted:
            logRequestEnd(.completed(status: context.sentStatus, bodyBytes: context.sentBodyBytes, termination: termination), metadata: context.logMetadata, startedAt: context.startedAt)
        case .logAborted:
            logRequestEnd(.aborted(termination: context.abortReason ?? termination), metadata: context.logMetadata, startedAt: context.startedAt)
        default:
            break
        }
    }

    /// Returns the metadata of every log line about one request: the access
    /// line and any error logged while serving it.
    static func requestLogMetadata(requestID: String, method: String, path: String, remoteAddress: String) -> Logger.Metadata {
        [
            "moat.request.id": requestID,
            "moat.http.method": method,
            "moat.http.path": path,
            "moat.http.remote": remoteAddress,
        ]
    }

    /// The outcome of a request, for its log line.
    enum RequestEnd {
        case completed(status: Int, bodyBytes: Int, termination: String)
        case aborted(termination: String)
    }

    /// Writes `request completed` or `request aborted` at info level.
    func logRequestEnd(_ end: RequestEnd, metadata: @autoclosure () -> Logger.Metadata, startedAt: ContinuousClock.Instant) {
        guard logger.level <= .info else { return }
        var metadata = metadata()
        let elapsed = ContinuousClock.now - startedAt
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        metadata["moat.http.duration_ms"] = String(format: "%.3f", milliseconds)
        switch end {
        case .completed(let status, let bodyBytes, let termination):
            metadata["moat.http.status"] = String(status)
            metadata["moat.http.bytes"] = String(bodyBytes)
            if termination != "completed" {
                metadata["moat.http.termination"] = termination
            }
            logger.info("request completed", metadata: metadata)
        case .aborted(let termination):
            metadata["moat.http.termination"] = termination
            logger.info("request aborted", metadata: metadata)
        }
    }
}

/// The requests in flight on one event loop's own connections.
final class LoopExchangeCounter: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .relaxed) }

    func increment() { value.add(1, ordering: .relaxed) }

    func decrement() { value.subtract(1, ordering: .relaxed) }
}
