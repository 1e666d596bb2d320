import CMicroHTTPD
import Foundation
import MoatCore
import Synchronization

/// One request's state, shared by libmicrohttpd's network threads, the
/// handler task and ``HTTPServer/stop()``.
///
/// libmicrohttpd stores an unmanaged, retained reference in the request's
/// context slot from the URI callback until the request-completed callback.
final class ConnectionContext: @unchecked Sendable {
    // @unchecked: every `var` below is read and written only inside `withLock`.
    // A Mutex lives inline, where an NSLock would be one more allocation per request.
    private let lock = Mutex(())

    /// The libmicrohttpd connection, used only while ``machine`` reports it alive.
    let connection: OpaquePointer
    let target: String
    let startedAt = ContinuousClock.now

    var machine: ConnectionStateMachine
    var method = ""
    var headers = HTTPHeaders()
    var body = Data()
    var requestID: String
    var remoteAddress = ""
    /// The decoded path, or the raw path when the target was rejected; never the query.
    var loggedPath: String
    var parsedTarget: RequestTarget?
    var sentStatus = 0
    var sentBodyBytes = 0
    /// The cause of closing the connection without a response, when the server closed it.
    var abortReason: String?
    var handlerTask: Task<Void, Never>?

    // The streaming path (``HTTPStreamingResponder``) uses these instead of `machine` and `body`.
    var streamPhase = StreamPhase.awaitingHead
    var requestBody: HTTPRequestBody?
    var receivedBodyBytes = 0
    var pendingResponse: HTTPResponse?
    var responseStream: HTTPBodyStream?
    var upgradeHandler: HTTPUpgradeHandler?
    let gate: SuspensionGate

    /// The lifecycle of a request on the streaming path.
    enum StreamPhase {
        case awaitingHead
        /// The handler runs and the body streams in.
        case receiving
        /// The body is complete; the connection is suspended until the handler returns.
        case waitingForHandler
        case responding
        case closing
        case completed
    }

    init(connection: OpaquePointer, target: String, maxBodyBytes: Int) {
        self.connection = connection
        self.target = target
        self.machine = ConnectionStateMachine(maxBodyBytes: maxBodyBytes)
        self.gate = SuspensionGate(connection: connection, loop: EventLoop.current)
        self.requestID = RequestID.generate()
        self.loggedPath = String(target.prefix { $0 != "?" && $0 != "#" })
    }

    func withLock<Result>(_ body: (ConnectionContext) throws -> Result) rethrows -> Result {
        try lock.withLock { _ in try body(self) }
    }

    /// Metadata shared by the access log line and any error logged for this request.
    var logMetadata: Logger.Metadata {
        ServerCore.requestLogMetadata(requestID: requestID, method: method, path: loggedPath, remoteAddress: remoteAddress)
    }
}
