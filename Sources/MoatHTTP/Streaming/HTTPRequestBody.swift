import Foundation

/// A request body that arrives while the handler already runs, for handlers
/// that forward it instead of holding it whole (see ``HTTPStreamingResponder``).
///
/// The server appends what libmicrohttpd reads. When more than
/// ``highWaterMark`` bytes wait unread, the server stops reading from the
/// client until the handler catches up, so the body never sits in memory
/// whole. A handler must either read the body to its end or call
/// ``discard()``; otherwise a large upload stalls until the connection
/// times out. A handler that returns a response without a body stream
/// discards the rest automatically.
public final class HTTPRequestBody: @unchecked Sendable {
    // @unchecked: every `var` below is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var pieces: [Data] = []
    private var bufferedBytes = 0
    private var state = State.receiving
    private var discarded = false
    private var resumeConnection: (() -> Void)?
    private var clientLeft = false
    private var leaveHandler: (@Sendable () -> Void)?

    private enum State {
        case receiving, complete
        /// The connection ended before the body did.
        case aborted
    }

    /// The `Content-Length` the client announced, or nil for a chunked body.
    public let announcedLength: Int?
    /// Bytes that may wait unread before the server pauses the client.
    public let highWaterMark: Int

    /// Creates a body; the server feeds it.
    ///
    /// - Parameters:
    ///   - announcedLength: the `Content-Length`, nil when unknown.
    ///   - highWaterMark: unread bytes before reading from the client pauses; default 256 KiB.
    public init(announcedLength: Int?, highWaterMark: Int = 256 * 1024) {
        self.announcedLength = announcedLength
        self.highWaterMark = max(1, highWaterMark)
    }

    /// Creates a body that is already complete, for tests and in-process calls.
    public convenience init(_ data: Data) {
        self.init(announcedLength: data.count)
        if !data.isEmpty {
            pieces = [data]
            bufferedBytes = data.count
        }
        state = .complete
    }

    /// The result of a blocking ``read(maxBytes:)``.
    public enum Chunk: Sendable, Equatable {
        case data(Data)
        /// The body ended normally.
        case end
        /// The client went away before the body ended.
        case aborted
    }

    /// Returns the next bytes, at most `maxBytes`, blocking until some arrive.
    /// Call from a thread that may block, never from the cooperative pool.
    public func read(maxBytes: Int) -> Chunk {
        condition.lock()
        while bufferedBytes == 0 && state == .receiving {
            condition.wait()
        }
        guard bufferedBytes > 0 else {
            let result: Chunk = state == .complete ? .end : .aborted
            condition.unlock()
            return result
        }
        var collected = Data()
        while collected.count < maxBytes, let first = pieces.first {
            let wanted = maxBytes - collected.count
            if first.count <= wanted {
                collected.append(first)
                pieces.removeFirst()
            } else {
                collected.append(first.prefix(wanted))
                pieces[0] = first.subdata(in: first.startIndex + wanted..<first.endIndex)
            }
        }
        bufferedBytes -= collected.count
        let resume = bufferedBytes < highWaterMark ? takeResumer() : nil
        condition.unlock()
        resume?()
        return .data(collected)
    }

    /// Reads the whole body, for small bodies such as forms.
    ///
    /// - Throws: ``ProblemDetails`` 413 `payload_too_large` when the body
    ///   exceeds `limit` bytes (the rest is discarded), or 400
    ///   `incomplete_body` when the client went away.
    public func collect(limit: Int) async throws(ProblemDetails) -> Data {
        if let announcedLength, announcedLength > limit {
            discard()
            throw .payloadTooLarge("request body exceeds the limit of \(limit) bytes")
        }
        let result: Result<Data, ProblemDetails> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var collected = Data()
                while true {
                    switch self.read(maxBytes: 64 * 1024) {
                    case .data(let data):
                        collected.append(data)
                        if collected.count > limit {
                            self.discard()
                            continuation.resume(returning: .failure(.payloadTooLarge("request body exceeds the limit of \(limit) bytes")))
                            return
                        }
                    case .end:
                        continuation.resume(returning: .success(collected))
                        return
                    case .aborted:
                        continuation.resume(returning: .failure(.badRequest(code: "incomplete_body", "the client closed the connection before the body ended")))
                        return
                    }
                }
            }
        }
        return try result.get()
    }

    /// Drops what is buffered and everything still to come, so the server
    /// reads the rest of the upload without keeping it.
    public func discard() {
        condition.lock()
        discarded = true
        pieces.removeAll()
        bufferedBytes = 0
        let resume = takeResumer()
        condition.broadcast()
        condition.unlock()
        resume?()
    }

    private func takeResumer() -> (() -> Void)? {
        let resume = resumeConnection
        resumeConnection = nil
        return resume
    }

    /// The server's verdict on a piece of upload.
    enum Offer {
        case accepted
        /// The buffer is full: `suspend` was called and the piece was not taken.
        case suspended
    }

    /// Appends a piece read from the client, or suspends the connection when the
    /// buffer is full. `suspend` and the storing of `resume` happen under the
    /// lock, so a read racing with the suspension still resumes the connection.
    func offer(_ bytes: UnsafeRawBufferPointer, suspend: () -> Void, resume: @escaping () -> Void) -> Offer {
        condition.lock()
        defer { condition.unlock() }
        if discarded || state != .receiving {
            return .accepted
        }
        guard bufferedBytes < highWaterMark else {
            suspend()
            resumeConnection = resume
            return .suspended
        }
        pieces.append(Data(bytes))
        bufferedBytes += bytes.count
        condition.broadcast()
        return .accepted
    }

    /// Whether the client closed its connection before the exchange ended:
    /// while the upload streamed in, or while the connection waited for the
    /// response or for the handler to read.
    public var hasClientLeft: Bool {
        condition.lock()
        defer { condition.unlock() }
        return clientLeft
    }

    /// Sets the closure that runs once when the client leaves (see
    /// ``hasClientLeft``), or at once when it has left already; nil removes it.
    /// A blocking handler uses it to stop waiting for an upstream response
    /// that no client will read. It runs on a server thread with the body's lock held, so it must
    /// be short and must not call the body.
    public func onClientLeave(_ handler: (@Sendable () -> Void)?) {
        condition.lock()
        defer { condition.unlock() }
        leaveHandler = handler
        if clientLeft, let handler {
            leaveHandler = nil
            handler()
        }
    }

    /// Records that the client left, for the server.
    func noteClientLeft() {
        condition.lock()
        defer { condition.unlock() }
        guard !clientLeft else { return }
        clientLeft = true
        let handler = leaveHandler
        leaveHandler = nil
        handler?()
    }

    /// Marks the body complete after its last piece.
    func finishReceiving() {
        end(.complete)
    }

    /// Marks the body aborted because the connection ended early.
    func abort() {
        if end(.aborted) {
            noteClientLeft()
        }
    }

    /// Returns whether the body was still receiving.
    @discardableResult
    private func end(_ final: State) -> Bool {
        condition.lock()
        let wasReceiving = state == .receiving
        if wasReceiving {
            state = final
        }
        let resume = takeResumer()
        condition.broadcast()
        condition.unlock()
        resume?()
        return wasReceiving
    }
}
