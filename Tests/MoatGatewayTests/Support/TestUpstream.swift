import Foundation
import MoatTestSupport

/// A raw-socket HTTP/1.1 upstream for gateway tests, so that what reaches
/// the upstream is observed byte for byte, independently of the code under test.
///
/// Each accepted connection runs `handler` on a thread of its own.
final class TestUpstream: @unchecked Sendable {
    // @unchecked: `heads` is only touched under `lock`; the descriptor is closed once, in `stop`.
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var heads: [UpstreamRequestHead] = []
    private var stopped = false

    init(handler: @escaping @Sendable (UpstreamConnection) -> Void) throws {
        let (listener, port) = try openLoopbackSocket(backlog: 64, reuseAddress: true)
        self.listener = listener
        self.port = port
        acceptConnections(on: listener, handler: handler)
    }

    /// Creates an upstream whose port is bound but not listening, so every connection
    /// is refused. Closing a listener instead would free the port for a server
    /// that a test running in parallel starts.
    private init(refusingOn descriptor: Int32, port: Int) {
        listener = descriptor
        self.port = port
    }

    static func refusing() throws -> TestUpstream {
        let (descriptor, port) = try openLoopbackSocket(backlog: nil)
        return TestUpstream(refusingOn: descriptor, port: port)
    }

    private func acceptConnections(on listener: Int32, handler: @escaping @Sendable (UpstreamConnection) -> Void) {
        Thread.detachNewThread { [weak self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0, let self else { return }
                let connection = UpstreamConnection(descriptor: client) { head in self.record(head) }
                Thread.detachNewThread { handler(connection) }
            }
        }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Request heads received so far, in order.
    var receivedHeads: [UpstreamRequestHead] {
        lock.withLock { heads }
    }

    private func record(_ head: UpstreamRequestHead) {
        lock.withLock { heads.append(head) }
    }

    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }
}

/// A request head as the upstream received it.
struct UpstreamRequestHead: Sendable {
    var requestLine: String
    var fields: [(name: String, value: String)]

    func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    func value(_ name: String) -> String? { values(name).first }
}

/// One accepted upstream connection.
final class UpstreamConnection: @unchecked Sendable {
    // @unchecked: used by its one handler thread.
    let socket: BlockingSocket
    private let onHead: (UpstreamRequestHead) -> Void

    init(descriptor: Int32, onHead: @escaping (UpstreamRequestHead) -> Void) {
        socket = BlockingSocket(descriptor: descriptor)
        self.onHead = onHead
    }

    /// Reads and records the next request head.
    func readHead() throws -> UpstreamRequestHead {
        let text = try socket.read(until: "\r\n\r\n")
        var lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let requestLine = lines.removeFirst()
        let fields = lines.map { line -> (name: String, value: String) in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let head = UpstreamRequestHead(requestLine: requestLine, fields: fields)
        onHead(head)
        return head
    }

    func write(_ text: String) throws {
        try socket.send(text)
    }

    /// Writes a complete response with a `Content-Length` body.
    func respond(status: Int = 200, contentType: String = "text/plain", _ body: String, extraFields: String = "") throws {
        try socket.send("HTTP/1.1 \(status) Test\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\(extraFields)\r\n\(body)")
    }

    /// Writes one chunk of a chunked body.
    func writeChunk(_ text: String) throws {
        try socket.send(String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n")
    }
}
