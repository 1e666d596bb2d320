import CMicroHTTPD
import Foundation
import MoatCore
import Synchronization

/// Suspends and resumes one libmicrohttpd connection for the streaming path,
/// and makes a resume after the connection completed a no-op.
///
/// Its lock is taken after any context, body or stream lock, so callers may
/// hold those while they suspend or resume. Only the lock of
/// ``ClientDepartureWatch`` is taken after it.
final class SuspensionGate: @unchecked Sendable {
    // @unchecked: the state is only touched inside the Mutex, and `connection` is
    // passed only to libmicrohttpd calls that the Mutex orders.
    private struct State {
        var suspended = false
        var finished = false
        /// Set when the client closed its connection while it was suspended.
        var departed = false
        var departure: Departure?
        var watch: (tag: UInt64, socket: Int32)?
    }

    /// The watch for the client leaving that every suspension starts (see ``ClientDepartureWatch``).
    struct Departure {
        let logger: Logger
        /// Runs once, outside the gate's lock, after the connection was resumed to be closed.
        let handler: @Sendable () -> Void
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

    /// Makes every later suspension watch for the client leaving.
    func watchDeparture(_ departure: Departure) {
        state.withLock { $0.departure = departure }
    }

    /// Suspends the connection; call only from a libmicrohttpd callback of this connection.
    func suspend() {
        state.withLock { state in
            guard !state.suspended, !state.finished, !state.departed else { return }
            state.suspended = true
            MHD_suspend_connection(connection)
            guard let departure = state.departure else { return }
            let socket = moat_mhd_connection_socket(connection)
            let tag = ClientDepartureWatch.shared.start(socket: socket, logger: departure.logger) { [weak self] tag in
                self?.clientLeft(watch: tag)
            }
            state.watch = tag.map { ($0, socket) }
        }
    }

    /// Resumes the connection when it is suspended and still open.
    func resume() {
        state.withLock { state in
            guard state.suspended, !state.finished else { return }
            state.suspended = false
            stopWatch(&state)
            MHD_resume_connection(connection)
            // libmicrohttpd 0.9.75 in external-epoll mode can miss a resume that
            // lands while MHD_run runs, so the loop runs MHD_run once more.
            loop?.daemonNeedsRun()
        }
    }

    /// Resumes a connection whose client left while it was suspended, so
    /// that libmicrohttpd closes it, then calls the ``Departure`` handler.
    /// A watch that a resume ended already is ignored.
    private func clientLeft(watch tag: UInt64) {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.watch?.tag == tag, state.suspended, !state.finished else { return nil }
            state.departed = true
            state.suspended = false
            stopWatch(&state)
            MHD_resume_connection(connection)
            loop?.daemonNeedsRun()
            return state.departure?.handler
        }
        handler?()
    }

    /// Ends the watch. The socket is still open here, because libmicrohttpd
    /// closes only the sockets of connections that are not suspended.
    private func stopWatch(_ state: inout State) {
        if let watch = state.watch {
            ClientDepartureWatch.shared.stop(watch.tag, socket: watch.socket)
            state.watch = nil
        }
    }

    var isSuspended: Bool {
        state.withLock { $0.suspended }
    }

    /// Whether the client closed its connection while it was suspended. The
    /// callbacks then close the connection instead of suspending it again.
    var hasDeparted: Bool {
        state.withLock { $0.departed }
    }

    /// Marks the connection completed; later resumes do nothing.
    func finish() {
        state.withLock { state in
            state.finished = true
            stopWatch(&state)
        }
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
        if gate.hasDeparted {
            return -2
        }
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
