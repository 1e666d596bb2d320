import CMicroHTTPD
import Foundation

/// Suspends and resumes one libmicrohttpd connection for the streaming path,
/// and makes a resume after the connection completed a no-op.
///
/// With a thread per connection, libmicrohttpd cannot suspend a connection,
/// so the gate only records the suspension, and the connection's thread waits
/// in ``waitWhileSuspended()`` after it has released every other lock.
///
/// Its lock is always taken last, after any context, body or stream lock,
/// so callers may hold those while they suspend or resume.
final class SuspensionGate: @unchecked Sendable {
    // @unchecked: every `var` below is only touched while `condition` is locked.
    private let condition = NSCondition()
    private var suspended = false
    private var finished = false
    /// Set by a suspension in thread-waiting mode until the thread has waited,
    /// even when a resume came first, so that the caller repeats its step.
    private var waitRequested = false
    let connection: OpaquePointer
    /// Whether the connection's thread waits instead of suspending the connection.
    let waitsOnThread: Bool
    /// The event loop whose daemon owns the connection, when the server runs event loops.
    let loop: EventLoop?

    init(connection: OpaquePointer, waitsOnThread: Bool = false, loop: EventLoop? = nil) {
        self.connection = connection
        self.waitsOnThread = waitsOnThread
        self.loop = loop
    }

    /// Suspends the connection; call only from a libmicrohttpd callback of this connection.
    func suspend() {
        condition.lock()
        defer { condition.unlock() }
        guard !suspended, !finished else { return }
        suspended = true
        waitRequested = true
        if !waitsOnThread {
            MHD_suspend_connection(connection)
        }
    }

    /// Resumes the connection when it is suspended and still open.
    func resume() {
        condition.lock()
        defer { condition.unlock() }
        guard suspended, !finished else { return }
        suspended = false
        if waitsOnThread {
            condition.broadcast()
        } else {
            MHD_resume_connection(connection)
            // libmicrohttpd 0.9.75 in external-epoll mode can miss a resume that
            // lands while MHD_run runs, so the loop is told to call it again.
            loop?.daemonNeedsRun()
        }
    }

    /// Blocks the calling connection thread until ``resume()`` or ``finish()``
    /// when the gate waits on the thread and is suspended.
    ///
    /// - Returns: whether it waited, so the caller repeats the step that suspended.
    func waitWhileSuspended() -> Bool {
        guard waitsOnThread else { return false }
        condition.lock()
        defer { condition.unlock() }
        guard waitRequested else { return false }
        waitRequested = false
        while suspended && !finished {
            condition.wait()
        }
        suspended = false
        return true
    }

    var isSuspended: Bool {
        condition.lock()
        defer { condition.unlock() }
        return suspended
    }

    /// Marks the connection completed; later resumes do nothing and a waiting thread returns.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        condition.broadcast()
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
        while true {
            let result = stream.read(into: buffer, maxBytes: maxBytes, suspend: { gate.suspend() }, resume: { gate.resume() })
            switch result {
            case .bytes(let count):
                context.withLock { $0.sentBodyBytes += count }
                return count
            case .suspended:
                // With a thread per connection the thread waits here for the next write, then reads again.
                if gate.waitWhileSuspended() {
                    continue
                }
                return 0
            case .end:
                return -1
            case .error:
                return -2
            }
        }
    }
}
