import Foundation

/// A response body that is produced while the response is being sent, for
/// server-sent events, chunked upstream responses and large downloads.
///
/// One producer writes with ``write(_:)`` and ends with ``finish()`` or
/// ``fail()``; the server reads on libmicrohttpd's threads and sends each
/// piece as soon as it arrives. The buffer is bounded: ``write(_:)`` blocks
/// while more than ``highWaterMark`` bytes wait to be sent, so a slow client
/// slows the producer instead of filling memory. Write from a thread that may
/// block, never from a task on the cooperative pool.
///
/// A response carrying a stream is sent with chunked framing unless
/// ``HTTPResponse/bodyLength`` is set.
public final class HTTPBodyStream: @unchecked Sendable {
    // @unchecked: every `var` below is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var pieces: [Data] = []
    private var bufferedBytes = 0
    private var state = State.open
    /// Set while the connection is suspended waiting for data; called once to resume it.
    private var resumeConnection: (() -> Void)?
    /// Set when ``tryWrite(_:)`` refused a piece; the next read that drains the
    /// buffer below ``highWaterMark`` calls `onDrain`.
    private var writerWaits = false
    /// Hooks of a producer on an event loop, which must not block: `onDrain`
    /// lets it continue after ``tryWrite(_:)`` returned `.full`, and
    /// `onReaderGone` ends it when the reader cancels.
    private var onDrain: (() -> Void)?
    private var onReaderGone: (() -> Void)?

    private enum State {
        case open, finished, failed
        /// The reader went away (client disconnected or the server stopped).
        case cancelled
    }

    /// Bytes that may wait in the buffer before ``write(_:)`` blocks.
    public let highWaterMark: Int

    /// Creates an open stream.
    ///
    /// - Parameter highWaterMark: buffered bytes before writers block; default 256 KiB.
    public init(highWaterMark: Int = 256 * 1024) {
        self.highWaterMark = max(1, highWaterMark)
    }

    /// Appends `data`, blocking while the buffer is above ``highWaterMark``.
    ///
    /// - Returns: false when the reader has gone away or the stream was
    ///   already ended; the producer should stop.
    @discardableResult
    public func write(_ data: Data) -> Bool {
        guard !data.isEmpty else { return isWritable }
        condition.lock()
        while state == .open && bufferedBytes >= highWaterMark {
            condition.wait()
        }
        guard state == .open else {
            condition.unlock()
            return false
        }
        pieces.append(data)
        bufferedBytes += data.count
        let resume = takeResumer()
        condition.unlock()
        resume?()
        return true
    }

    /// Appends `data` unless the buffer is at ``highWaterMark``, for a producer
    /// on an event loop that must never block.
    func tryWrite(_ data: Data) -> TryWriteResult {
        condition.lock()
        guard state == .open else {
            condition.unlock()
            return .closed
        }
        guard bufferedBytes < highWaterMark else {
            writerWaits = true
            condition.unlock()
            return .full
        }
        pieces.append(data)
        bufferedBytes += data.count
        let resume = takeResumer()
        condition.unlock()
        resume?()
        return .accepted
    }

    /// Installs the hooks of a non-blocking producer; see `onDrain` and `onReaderGone`.
    func installProducerHooks(onDrain: @escaping () -> Void, onReaderGone: @escaping () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        self.onDrain = onDrain
        self.onReaderGone = onReaderGone
    }

    /// Ends the body normally after the buffered bytes are sent.
    public func finish() {
        end(.finished)
    }

    /// Ends the body abnormally: the server closes the connection without a
    /// proper end of the body, so the client can tell the body is incomplete.
    public func fail() {
        end(.failed)
    }

    /// Whether the producer may still write: the stream is open and its reader is present.
    public var isWritable: Bool {
        condition.lock()
        defer { condition.unlock() }
        return state == .open
    }

    /// Whether the reader went away before the stream ended.
    public var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return state == .cancelled
    }

    /// Called by the server when the response is released; wakes a blocked writer.
    func cancel() {
        end(.cancelled)
    }

    private func end(_ final: State) {
        condition.lock()
        var readerGone: (() -> Void)?
        if state == .open {
            state = final
            if final == .cancelled {
                readerGone = onReaderGone
            }
        }
        onDrain = nil
        onReaderGone = nil
        if final == .cancelled {
            pieces.removeAll()
            bufferedBytes = 0
        }
        let resume = takeResumer()
        condition.broadcast()
        condition.unlock()
        resume?()
        readerGone?()
    }

    private func takeResumer() -> (() -> Void)? {
        let resume = resumeConnection
        resumeConnection = nil
        return resume
    }

    /// What ``read(into:maxBytes:suspend:resume:)`` produced.
    enum ReadResult: Equatable {
        case bytes(Int)
        /// Nothing buffered yet; the connection was suspended and will be resumed on the next write.
        case suspended
        case end
        case error
    }

    /// Copies up to `maxBytes` buffered bytes into `buffer`.
    ///
    /// When nothing is buffered and the stream is open, calls `suspend` and
    /// stores `resume`, both while the lock is held, so a write that races
    /// with the suspension still resumes the connection.
    func read(into buffer: UnsafeMutableRawPointer, maxBytes: Int, suspend: () -> Void, resume: @escaping () -> Void) -> ReadResult {
        condition.lock()
        guard bufferedBytes > 0 else {
            defer { condition.unlock() }
            switch state {
            case .open:
                suspend()
                resumeConnection = resume
                return .suspended
            case .finished:
                return .end
            case .failed, .cancelled:
                return .error
            }
        }
        var copied = 0
        while copied < maxBytes, let first = pieces.first {
            let count = min(first.count, maxBytes - copied)
            first.withUnsafeBytes { bytes in
                (buffer + copied).copyMemory(from: bytes.baseAddress!, byteCount: count)
            }
            copied += count
            if count == first.count {
                pieces.removeFirst()
            } else {
                pieces[0] = first.subdata(in: first.startIndex + count..<first.endIndex)
            }
        }
        bufferedBytes -= copied
        var drained: (() -> Void)?
        if writerWaits && bufferedBytes < highWaterMark {
            writerWaits = false
            drained = onDrain
        }
        condition.broadcast()
        condition.unlock()
        drained?()
        return .bytes(copied)
    }
}

extension HTTPBodyStream {
    /// The result of a non-blocking ``tryWrite(_:)``.
    enum TryWriteResult {
        case accepted
        /// The buffer is at ``highWaterMark``; the piece was not taken and `onDrain` runs once it has room.
        case full
        /// The stream ended or its reader went away.
        case closed
    }
}
