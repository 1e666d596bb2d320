import CMicroHTTPD
import Foundation
import Synchronization

/// Suspends and resumes one libmicrohttpd connection for the streaming path,
/// and makes a resume after the connection completed a no-op.
///
/// Its lock is always taken last, after any context, body or stream lock,
/// so callers may hold those while they suspend or resume.
final class SuspensionGate: @unchecked Sendable {
    // @unchecked: the state is only touched inside the Mutex, and `connection` is
    // passed only to libmicrohttpd calls that the Mutex orders.
    private struct State {
        var suspended = false
        var finished = false
    }

    // A Mutex lives inline, where an NSLock would be one more allocation per request.
    private let state = Mutex(State())
    let connection: OpaquePointer
    /// The event loop whose daemon owns the connection, when the server runs event loops.
    let loop: EventLoop?

    init(connection: OpaquePointer, loop: EventLoop? = nil) {
        self.connection = connection
        self.loop = loop
    }

    /// Suspends the connection; call only from a libmicrohttpd callback of this connection.
    func suspend() {
        state.withLock { state in
            guard !state.suspended, !state.finished else { return }
            state.suspended = true
            MHD_suspend_connection(connection)
        }
    }

    /// Resumes the connection when it is suspended and still open.
    func resume() {
        state.withLock { state in
            guard state.suspended, !state.finished else { return }
            state.suspended = false
            MHD_resume_connection(connection)
            // libmicrohttpd 0.9.75 in external-epoll mode can miss a resume that
            // lands while MHD_run runs, so the loop runs MHD_run once more.
            loop?.daemonNeedsRun()
        }
    }

    var isSuspended: Bool {
        state.withLock { $0.suspended }
    }

    /// Marks the connection completed; later resumes do nothing.
    func finish() {
        state.withLock { $0.finished = true }
    }
}

/// What the streaming content-reader callback needs, retained by libmicrohttpd
/// from response creation until its free callback.
final class StreamReaderBox: Sendable {
    let stream: HTTPBodyStream
    let gate: SuspensionGate
    let context: ConnectionContext

    init(stream: HTTPBodyStream, gate: SuspensionGate, context: ConnectionContext) {
        self.stream = stream
        self.gate = gate
        self.context = context
    }

    /// Returns a libmicrohttpd content-reader result: a byte count, 0 after
    /// suspending, -1 at the end of the stream, -2 on failure.
    func read(into buffer: UnsafeMutableRawPointer, maxBytes: Int) -> Int {
        let gate = self.gate
        let result = stream.read(into: buffer, maxBytes: maxBytes, suspend: { gate.suspend() }, resume: { gate.resume() })
        switch result {
        case .bytes(let count):
            context.withLock { $0.sentBodyBytes += count }
            return count
        case .suspended:
            // Returning 0 without a suspension would make libmicrohttpd call again at once, a busy loop.
            return 0
        case .end:
            return -1
        case .error:
            return -2
        }
    }
}
