import Foundation
import MoatCore

/// A client connection that an event loop serves itself (see ``LoopServer``),
/// until it closes or is handed over to libmicrohttpd.
///
/// Used on its loop's thread only. Closures that other threads run (a
/// blocking handler's completion, a body stream's resume) reach it through
/// ``EventLoop/execute(_:)``.
final class LoopConnection: @unchecked Sendable {
    enum Phase {
        /// Between requests, or reading a head that has not fully arrived.
        case idle
        /// A request was read and its response is not ready yet.
        case waiting
        /// The response is being written.
        case sending
        /// The response was sent and the sending side shut down. Input is read
        /// and dropped until the client closes, because unread input would make
        /// the kernel reset the connection before the client read the response.
        case lingering
        /// Closed, or handed over to libmicrohttpd.
        case gone
    }

    let id: UInt32
    let descriptor: Int32
    /// The peer's address as accepted, for a hand-over to libmicrohttpd.
    let peer: sockaddr_storage
    let peerLength: socklen_t
    /// The peer's numeric address, for ``HTTPRequest/remoteAddress`` and logs.
    let remoteAddress: String

    var phase = Phase.idle
    var exchange: LoopExchange?
    var lastActivity: ContinuousClock.Instant
    /// Bytes to write, from `outputOffset` on.
    var output: [UInt8] = []
    var outputOffset = 0
    /// The body still being read into `output`, with chunked framing when `chunked`.
    var stream: HTTPBodyStream?
    var chunked = false
    /// Set when bytes arrived while a response was pending; they are read after it.
    var inputPending = false
    /// Set when the client shut down its sending side while no request was in flight.
    var peerClosed = false
    /// Set when the client sent input that the server will not read, such as an oversized head.
    var hasUnreadInput = false

    init(id: UInt32, descriptor: Int32, peer: sockaddr_storage, peerLength: socklen_t, remoteAddress: String, now: ContinuousClock.Instant) {
        self.id = id
        self.descriptor = descriptor
        self.peer = peer
        self.peerLength = peerLength
        self.remoteAddress = remoteAddress
        self.lastActivity = now
    }

    var hasUnsentOutput: Bool {
        outputOffset < output.count
    }
}

/// One request on a ``LoopConnection``, from its head to the end of its response.
final class LoopExchange: @unchecked Sendable {
    // @unchecked: used on the loop thread only, like its connection.
    let requestID: String
    let method: String
    let path: String
    let startedAt = ContinuousClock.now
    var keepAlive: Bool
    var status = 0
    var bodyBytes = 0
    /// The handler task of a request served off the loop, cancelled when the connection goes.
    var task: Task<Void, Never>?
    /// Abandons the upstream exchange while its head has not arrived, when the connection goes.
    var cancelUpstream: (() -> Void)?

    init(requestID: String, method: String, path: String, keepAlive: Bool) {
        self.requestID = requestID
        self.method = method
        self.path = path
        self.keepAlive = keepAlive
    }

    func logMetadata(remoteAddress: String) -> Logger.Metadata {
        ServerCore.requestLogMetadata(requestID: requestID, method: method, path: path, remoteAddress: remoteAddress)
    }
}
