import CMicroHTTPD
import Foundation

/// Suspends and resumes one libmicrohttpd connection for the streaming path,
/// and makes a resume after the connection completed a no-op.
///
/// Its lock is always taken last, after any context, body or stream lock,
/// so callers may hold those while they suspend or resume.
final class SuspensionGate: @unchecked Sendable {
    // @unchecked: every `var` below is only touched while `lock` is held.
    private let lock = NSLock()
    private var suspended = false
    private var finished = false
    let connection: OpaquePointer
    /// The event loop whose daemon owns the connection, when the server runs event loops.
    let loop: EventLoop?

    init(connection: OpaquePointer, loop: EventLoop? = nil) {
        self.connection = connection
        self.loop = loop
    }

    /// Suspends the connection; call only from a libmicrohttpd callback of this connection.
    func suspend() {
        lock.lock()
        defer { lock.unlock() }
        guard !suspended, !finished else { return }
        suspended = true
        MHD_suspend_connection(connection)
    }

    /// Resumes the connection when it is suspended and still open.
    func resume() {
        lock.lock()
        defer { lock.unlock() }
        guard suspended, !finished else { return }
        suspended = false
        MHD_resume_connection(connection)
        // libmicrohttpd 0.9.75 in external-epoll mode can miss a resume that
        // lands while MHD_run runs, so the loop runs MHD_run once more.
        loop?.daemonNeedsRun()
    }

    var isSuspended: Bool {
        lock.lock()
        defer { lock.unlock() }
        return suspended
    }

    /// Marks the connection completed; later resumes do nothing.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        finished = true
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
