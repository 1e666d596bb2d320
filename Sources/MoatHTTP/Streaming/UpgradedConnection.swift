import CMicroHTTPD
import Foundation
import MoatCore

/// A client connection that switched protocols after a 101 response, such
/// as a WebSocket, handed over as a plain socket.
///
/// The upgrade handler owns it: read and write ``socket`` (in blocking mode)
/// with `recv` and `send`, treat ``bufferedInput`` as the first bytes read, and call
/// ``close()`` exactly once when done. Never call `close(2)` on the socket:
/// libmicrohttpd closes it. ``HTTPServer/stop()`` shuts the socket down, so a
/// handler blocked in `recv` or `poll` returns.
public final class UpgradedConnection: @unchecked Sendable {
    // @unchecked: `closed` is only read and written while `lock` is held.
    private let lock = NSLock()
    private var closed = false
    private let handle: OpaquePointer
    private let onClose: @Sendable (UpgradedConnection) -> Void

    /// The socket connected to the client.
    public let socket: Int32
    /// Bytes libmicrohttpd had already read after the request head.
    public let bufferedInput: Data

    init(socket: Int32, bufferedInput: Data, handle: OpaquePointer, onClose: @escaping @Sendable (UpgradedConnection) -> Void) {
        self.socket = socket
        self.bufferedInput = bufferedInput
        self.handle = handle
        self.onClose = onClose
    }

    /// Closes the connection through libmicrohttpd. Later calls do nothing.
    public func close() {
        let first = lock.withLock {
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        onClose(self)
        _ = moat_mhd_upgrade_close(handle)
    }

    /// Ends the direction towards the client (a TCP FIN) and keeps reading, to
    /// pass on the other side's half-close (RFC 9293 §3.6). Does nothing once closed.
    public func shutdownWrite() {
        lock.withLock {
            if !closed {
                _ = Glibc.shutdown(socket, Int32(SHUT_WR))
            }
        }
    }

    /// Shuts the socket down in both directions so that a blocked handler wakes up.
    func shutDown() {
        lock.withLock {
            if !closed {
                _ = Glibc.shutdown(socket, Int32(SHUT_RDWR))
            }
        }
    }
}

/// Takes over a connection after a 101 response. It runs on a thread of its
/// own and may block; it must call ``UpgradedConnection/close()`` when done.
public typealias HTTPUpgradeHandler = @Sendable (UpgradedConnection) -> Void
