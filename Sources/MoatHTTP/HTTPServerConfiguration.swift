import Foundation

/// Settings of an ``HTTPServer``.
///
/// | Key | Type | Default | Meaning |
/// |---|---|---|---|
/// | `host` | String | `127.0.0.1` | Address or host name to bind. |
/// | `port` | Int | 0 | TCP port; 0 picks a free port, read it back from ``HTTPServer/port``. |
/// | `maxHeaderBytes` | Int | 16384 bytes | Request line plus header fields; larger heads are rejected. |
/// | `maxBodyBytes` | Int | 1048576 bytes | Request body; larger bodies get a 413 problem. |
/// | `connectionTimeout` | TimeInterval | 30 s | Idle time after which a connection is closed. |
/// | `maxConnections` | Int | 512 | Concurrent connections; more are refused at accept. |
/// | `threadCount` | Int | 2 | libmicrohttpd network threads; handlers run on Swift tasks. Ignored with event loops. |
/// | `shutdownGracePeriod` | TimeInterval | 10 s | How long ``HTTPServer/stop()`` waits for running handlers. |
/// | `concurrency` | ``Concurrency`` | `.threadPool` | Thread pool, or event loops for an ``HTTPLoopResponder``. |
public struct HTTPServerConfiguration: Sendable {
    /// The threading model: which threads read requests and run responders.
    public enum Concurrency: Sendable, Equatable {
        /// libmicrohttpd's pool of ``HTTPServerConfiguration/threadCount``
        /// network threads; handlers run on Swift tasks.
        case threadPool
        /// This many event-loop threads, each with its own libmicrohttpd
        /// daemon (external epoll), its own `SO_REUSEPORT` listening socket, its
        /// own libcurl multi handle and its own client for plain-http
        /// upstreams. An ``HTTPLoopResponder`` responds to
        /// requests without a body on the loop thread. Everything else runs on
        /// other threads as in `.threadPool`.
        case eventLoops(Int)

        /// One event loop per active processor, at least one.
        public static var eventLoopPerProcessor: Concurrency {
            .eventLoops(max(1, ProcessInfo.processInfo.activeProcessorCount))
        }
    }

    public var host: String = "127.0.0.1"
    public var port: Int = 0
    public var maxHeaderBytes: Int = 16 * 1024
    public var maxBodyBytes: Int = 1 << 20
    public var connectionTimeout: TimeInterval = 30
    public var maxConnections: Int = 512
    public var threadCount: Int = 2
    public var shutdownGracePeriod: TimeInterval = 10
    public var concurrency: Concurrency = .threadPool

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 1 << 20,
        connectionTimeout: TimeInterval = 30,
        maxConnections: Int = 512,
        threadCount: Int = 2,
        shutdownGracePeriod: TimeInterval = 10,
        concurrency: Concurrency = .threadPool
    ) {
        self.host = host
        self.port = port
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.connectionTimeout = connectionTimeout
        self.maxConnections = maxConnections
        self.threadCount = threadCount
        self.shutdownGracePeriod = shutdownGracePeriod
        self.concurrency = concurrency
    }

    /// Checks ranges before the server binds.
    func validate() throws(HTTPServerError) {
        func invalid(_ key: String, _ value: Any, _ rule: String) -> HTTPServerError {
            HTTPServerError(.invalidConfiguration, "\(key) is \(value) but must be \(rule)")
        }
        guard (0...65535).contains(port) else { throw invalid("port", port, "between 0 and 65535") }
        guard maxHeaderBytes >= 1024 else { throw invalid("maxHeaderBytes", maxHeaderBytes, "at least 1024") }
        guard maxBodyBytes >= 0 else { throw invalid("maxBodyBytes", maxBodyBytes, "0 or more") }
        guard connectionTimeout >= 1 else { throw invalid("connectionTimeout", connectionTimeout, "at least 1 second") }
        guard maxConnections >= 1 else { throw invalid("maxConnections", maxConnections, "at least 1") }
        guard (1...256).contains(threadCount) else { throw invalid("threadCount", threadCount, "between 1 and 256") }
        if case .eventLoops(let count) = concurrency, !(1...256).contains(count) {
            throw invalid("the event loop count", count, "between 1 and 256")
        }
        guard shutdownGracePeriod >= 0 else { throw invalid("shutdownGracePeriod", shutdownGracePeriod, "0 or more seconds") }
    }
}
