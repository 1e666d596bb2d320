import CHTTPParser
import Foundation

/// An upstream address that ``LoopHTTPClient`` connects to without a name
/// lookup: an IPv4 or IPv6 literal, or `localhost`.
///
/// `localhost` is 127.0.0.1, and ::1 when 127.0.0.1 refuses the connection,
/// as libcurl tries both: an app that listens on `localhost` may have bound
/// only ::1, depending on its runtime and the resolver's address order.
struct LoopHTTPOrigin: Hashable {
    /// The numeric address, without brackets; 127.0.0.1 for `localhost`.
    let address: String
    let port: UInt16
    let isIPv6: Bool
    /// True when the URL's host is `localhost`, which may also be reached at ::1.
    let isLocalhost: Bool
    /// The `Host` value libcurl sends for this origin: the host as the URL
    /// spells it, with the port unless it is 80.
    let hostField: String

    /// `address:port`, with brackets around an IPv6 address, or `localhost:port`, for messages.
    var authority: String {
        if isLocalhost { return "localhost:\(port)" }
        return isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// Returns the origin of a plain `http` URL whose host needs no name
    /// lookup, or nil for any other URL (https, a host name, user information).
    init?(_ url: URL) {
        guard url.scheme?.lowercased() == "http", url.user == nil, var host = url.host, !host.isEmpty else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard let port = UInt16(exactly: url.port ?? 80), port != 0 else { return nil }
        var probe = in6_addr()
        if host.lowercased() == "localhost" {
            self.init(address: "127.0.0.1", port: port, isIPv6: false, isLocalhost: true, hostName: url.host ?? host)
        } else if inet_pton(AF_INET, host, &probe) == 1 {
            self.init(address: host, port: port, isIPv6: false, isLocalhost: false, hostName: url.host ?? host)
        } else if inet_pton(AF_INET6, host, &probe) == 1 {
            self.init(address: host, port: port, isIPv6: true, isLocalhost: false, hostName: "[\(host)]")
        } else {
            return nil
        }
    }

    private init(address: String, port: UInt16, isIPv6: Bool, isLocalhost: Bool, hostName: String) {
        self.address = address
        self.port = port
        self.isIPv6 = isIPv6
        self.isLocalhost = isLocalhost
        self.hostField = port == 80 ? hostName : "\(hostName):\(port)"
    }
}

/// One request of ``LoopHTTPClient``, which moves to a new connection when it is retried.
final class LoopHTTPExchange {
    let request: StreamingClientRequest
    let requestID: String?
    let origin: LoopHTTPOrigin
    /// The request head as written to the upstream.
    let head: [UInt8]
    var onHead: ((Result<StreamingClientResponse, HTTPClientError>) -> Void)?
    /// Set once the exchange was sent again after a reused connection failed.
    var retried = false
    /// Set when 127.0.0.1 refused a `localhost` origin, so that new connections go to ::1.
    var usesIPv6Loopback = false

    init(request: StreamingClientRequest, requestID: String?, origin: LoopHTTPOrigin, head: [UInt8], onHead: @escaping (Result<StreamingClientResponse, HTTPClientError>) -> Void) {
        self.request = request
        self.requestID = requestID
        self.origin = origin
        self.head = head
        self.onHead = onHead
    }

    /// Calls `onHead` once; later calls do nothing.
    func deliver(_ result: Result<StreamingClientResponse, HTTPClientError>) {
        let callback = onHead
        onHead = nil
        callback?(result)
    }
}

/// One upstream connection of ``LoopHTTPClient`` and the parse state of the
/// response it is reading, with Node's http_parser (Debian's
/// libhttp-parser-dev 2.9.4) in `HTTP_RESPONSE` mode.
///
/// Everything runs on the event loop's thread.
final class LoopHTTPConnection {
    enum State {
        case connecting, sending, receiving, idle, closed
    }

    private enum LastCallback {
        case none, field, value
    }

    let id: UInt32
    let descriptor: Int32
    let origin: LoopHTTPOrigin
    var state = State.connecting
    var exchange: LoopHTTPExchange?
    /// The time the connect, the send or the wait for the next byte times out, or nil while idle or paused.
    var deadline: ContinuousClock.Instant?
    /// Whether a response was read to its end on this connection before, so
    /// that the upstream may have closed it while the current request was sent.
    var servedBefore = false
    var outputOffset = 0

    // The response being read.
    private let parser = UnsafeMutablePointer<http_parser>.allocate(capacity: 1)
    var receivedAnyByte = false
    var headBytes = 0
    var status = 0
    var headers = HTTPHeaders()
    var headComplete = false
    var messageComplete = false
    var keepAlive = false
    var bufferWhole = false
    var contentLength: Int?
    var buffered = Data()
    var stream: HTTPBodyStream?
    /// Body pieces that the stream did not take because it was full, in order.
    var pendingBody: [Data] = []
    /// Set when the stream was full: the socket is not read until it drains.
    var paused = false
    /// Set when the stream's reader went away while the body was parsed.
    var readerGone = false
    /// Set when bytes followed the end of the response, so the connection is not reused.
    var trailingBytes = false
    /// Set when epoll reported that the upstream closed its side, so the connection is not reused.
    var peerClosed = false
    /// A failure that a parser callback found, reported instead of the parser's own error.
    var callbackError: HTTPClientError?
    /// Called from `on_headers_complete` when the body streams, to hand over the head.
    var streamStarted: ((LoopHTTPConnection) -> Void)?
    private var fieldName: [UInt8] = []
    private var fieldValue: [UInt8] = []
    private var lastCallback = LastCallback.none

    init(id: UInt32, descriptor: Int32, origin: LoopHTTPOrigin) {
        self.id = id
        self.descriptor = descriptor
        self.origin = origin
    }

    deinit {
        parser.deallocate()
    }

    /// Resets the response state for `exchange`, whose head is sent next.
    func begin(_ exchange: LoopHTTPExchange) {
        self.exchange = exchange
        outputOffset = 0
        http_parser_init(parser, HTTP_RESPONSE)
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        receivedAnyByte = false
        headBytes = 0
        startMessage()
        headComplete = false
        messageComplete = false
        keepAlive = false
        bufferWhole = false
        contentLength = nil
        buffered = Data()
        stream = nil
        pendingBody = []
        paused = false
        readerGone = false
        trailingBytes = false
        peerClosed = false
        callbackError = nil
    }

    /// Drops the response state once the exchange ended, so the connection keeps no body.
    func endExchange() {
        exchange = nil
        deadline = nil
        buffered = Data()
        stream = nil
        pendingBody = []
        headers = HTTPHeaders()
    }

    private func startMessage() {
        status = 0
        headers = HTTPHeaders()
        // Room for a typical response head, so the list does not regrow field by field.
        headers.reserveCapacity(16)
        fieldName = []
        fieldValue = []
        lastCallback = .none
    }

    /// The result of ``parse(_:count:)``.
    enum ParseResult {
        case ok
        case failed(HTTPClientError)
    }

    /// Parses `count` bytes at `bytes`, or the end of the stream when `bytes` is nil.
    ///
    /// While the head is incomplete, at most ``LoopHTTPClient/maxHeadBytes``
    /// bytes in all (interim responses included) go to the parser.
    func parse(_ bytes: UnsafeRawPointer?, count: Int) -> ParseResult {
        guard let bytes else {
            _ = http_parser_execute(parser, Self.settings, nil, 0)
            return checkParser()
        }
        var offset = 0
        if !headComplete {
            let window = min(count, LoopHTTPClient.maxHeadBytes - headBytes)
            let consumed = execute(bytes, window)
            headBytes += window
            if case .failed(let error) = checkParser() {
                return .failed(error)
            }
            guard headComplete else {
                if headBytes >= LoopHTTPClient.maxHeadBytes {
                    return .failed(HTTPClientError(.transferFailed, "the response head from \(origin.authority) exceeds \(LoopHTTPClient.maxHeadBytes) bytes"))
                }
                return .ok
            }
            if messageComplete && consumed < count {
                trailingBytes = true
            }
            offset = window
        }
        guard offset < count else { return .ok }
        if messageComplete {
            trailingBytes = true
            return .ok
        }
        let consumed = execute(bytes + offset, count - offset)
        if messageComplete && consumed < count - offset {
            trailingBytes = true
        }
        return checkParser()
    }

    private func execute(_ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        http_parser_execute(parser, Self.settings, bytes.assumingMemoryBound(to: CChar.self), count)
    }

    /// Maps a parser error to ``HTTPClientError``. An error after the end of
    /// the response only marks the connection as not reusable.
    private func checkParser() -> ParseResult {
        let code = moat_http_parser_errno(parser)
        guard code != HPE_OK.rawValue else { return .ok }
        if messageComplete {
            trailingBytes = true
            return .ok
        }
        if let callbackError {
            return .failed(callbackError)
        }
        let description = String(cString: http_errno_description(http_errno(code)))
        return .failed(HTTPClientError(.transferFailed, "the response from \(origin.authority) is not valid HTTP: \(description)"))
    }

    // MARK: http_parser callbacks

    /// The callbacks, shared by every connection and never changed after they are set.
    nonisolated(unsafe) private static let settings: UnsafeMutablePointer<http_parser_settings> = {
        let pointer = UnsafeMutablePointer<http_parser_settings>.allocate(capacity: 1)
        pointer.initialize(to: http_parser_settings())
        var settings = http_parser_settings()
        settings.on_message_begin = { parser in
            connection(parser).beginMessage()
        }
        settings.on_header_field = { parser, bytes, count in
            connection(parser).addFieldName(bytes, count)
            return 0
        }
        settings.on_header_value = { parser, bytes, count in
            connection(parser).addFieldValue(bytes, count)
            return 0
        }
        settings.on_headers_complete = { parser in
            guard let parser else { return -1 }
            return connection(parser).completeHead(parser)
        }
        settings.on_body = { parser, bytes, count in
            guard let bytes else { return 0 }
            return connection(parser).addBody(bytes, count)
        }
        settings.on_message_complete = { parser in
            guard let parser else { return -1 }
            connection(parser).completeMessage(parser)
            return 0
        }
        pointer.pointee = settings
        return pointer
    }()

    private static func connection(_ parser: UnsafeMutablePointer<http_parser>?) -> LoopHTTPConnection {
        Unmanaged<LoopHTTPConnection>.fromOpaque(parser!.pointee.data).takeUnretainedValue()
    }

    /// Starts a response; a second final response on the same exchange stops the parser.
    private func beginMessage() -> Int32 {
        guard !headComplete else { return 1 }
        startMessage()
        return 0
    }

    private func addFieldName(_ bytes: UnsafePointer<CChar>?, _ count: Int) {
        if lastCallback == .value {
            commitField()
        }
        append(bytes, count, to: &fieldName)
        lastCallback = .field
    }

    private func addFieldValue(_ bytes: UnsafePointer<CChar>?, _ count: Int) {
        append(bytes, count, to: &fieldValue)
        lastCallback = .value
    }

    private func commitField() {
        // http_parser skips the whitespace before a value but keeps the whitespace after it.
        var end = fieldValue.endIndex
        while end > 0, fieldValue[end - 1] == 0x20 || fieldValue[end - 1] == 0x09 {
            end -= 1
        }
        headers.add(String(decoding: fieldName, as: UTF8.self), String(decoding: fieldValue[..<end], as: UTF8.self))
        fieldName.removeAll(keepingCapacity: true)
        fieldValue.removeAll(keepingCapacity: true)
    }

    private func append(_ bytes: UnsafePointer<CChar>?, _ count: Int, to buffer: inout [UInt8]) {
        guard let bytes, count > 0 else { return }
        bytes.withMemoryRebound(to: UInt8.self, capacity: count) { buffer.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// Returns 0 to read a body, 1 to tell http_parser there is none (HEAD,
    /// 204, 304), and -1 to stop with an error.
    private func completeHead(_ parser: UnsafeMutablePointer<http_parser>) -> Int32 {
        if lastCallback != .none {
            commitField()
        }
        let code = Int(moat_http_parser_status(parser))
        // Interim responses are dropped (RFC 9110 §15.2), and the final one follows.
        if (100..<200).contains(code) && code != 101 {
            return 0
        }
        guard let exchange else { return -1 }
        if code == 101 {
            callbackError = HTTPClientError(.transferFailed, "\(origin.authority) switched protocols (101) for a request that asked for no upgrade")
            return -1
        }
        status = code
        headComplete = true
        let bodyless = exchange.request.method == "HEAD" || code == 204 || code == 304
        if !bodyless, moat_http_parser_has_content_length(parser) != 0 {
            contentLength = Int(clamping: parser.pointee.content_length)
        }
        if bodyless || (contentLength.map { $0 <= exchange.request.bufferLimit } ?? false) {
            bufferWhole = true
            if let contentLength {
                buffered.reserveCapacity(contentLength)
            }
            return bodyless ? 1 : 0
        }
        stream = HTTPBodyStream()
        streamStarted?(self)
        return 0
    }

    private func addBody(_ bytes: UnsafePointer<CChar>, _ count: Int) -> Int32 {
        if bufferWhole {
            buffered.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: count)
            return 0
        }
        guard let stream else { return 0 }
        let data = Data(bytes: bytes, count: count)
        if paused {
            pendingBody.append(data)
            return 0
        }
        switch stream.tryWrite(data) {
        case .accepted:
            return 0
        case .full:
            // The rest of this read is kept too, so at most one read buffer waits beyond the stream's limit.
            pendingBody.append(data)
            paused = true
            return 0
        case .closed:
            readerGone = true
            return 1
        }
    }

    private func completeMessage(_ parser: UnsafeMutablePointer<http_parser>) {
        // An interim response ends here too, and the final one follows.
        guard headComplete else { return }
        messageComplete = true
        keepAlive = http_should_keep_alive(parser) != 0
    }
}
