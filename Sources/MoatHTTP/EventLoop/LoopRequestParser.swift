import CHTTPParser
import Foundation

/// A request head that an event loop serves on its own connection, without libmicrohttpd.
struct LoopRequestHead {
    let method: String
    let target: String
    let headers: HTTPHeaders
    /// Bytes from the request line through the empty line that ends the head.
    let byteCount: Int
    /// False when the client asked to close the connection after the response.
    let keepAlive: Bool
}

/// The verdict of ``LoopRequestParser/scan(_:)`` on the start of a connection's input.
enum LoopHeadScan {
    case complete(LoopRequestHead)
    /// The input ends inside the head.
    case incomplete
    /// The connection goes to libmicrohttpd, so that the server's full rules
    /// and replies apply: the request has a body, requests an upgrade or
    /// `100-continue`, is not plain HTTP/1.1, or is malformed.
    case handOver(reason: String)
}

/// Reads request heads with Node's http_parser for the event loop's own
/// connections (``LoopServer``).
///
/// It accepts only the plain case: HTTP/1.1 with exactly one `Host`, a
/// target in origin form, CRLF line ends, no folded lines, token field
/// names and valid field values (RFC 9112 §2.2, §5; RFC 9110 §5.5). The
/// head has no body framing and no `Upgrade` or `Expect` field. Everything else is handed over to
/// libmicrohttpd, which runs in strict mode and replies as the thread-pool
/// server does, so the two paths cannot disagree about where a request ends.
final class LoopRequestParser {
    private let parser: UnsafeMutablePointer<http_parser>
    // Parts of the input under scan; valid only during `scan`.
    private var target = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var fieldName = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var fieldValue = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var headers = HTTPHeaders()
    private var lastWasValue = false
    private var hostCount = 0
    private var handOverReason: String?
    private var messageComplete = false
    private var keepAlive = false

    init() {
        parser = UnsafeMutablePointer<http_parser>.allocate(capacity: 1)
        parser.initialize(to: http_parser())
    }

    deinit {
        parser.deinitialize(count: 1)
        parser.deallocate()
    }

    /// Scans `input` from its first byte, which must be the first byte of a request.
    func scan(_ input: UnsafeRawBufferPointer) -> LoopHeadScan {
        guard let base = input.baseAddress, !input.isEmpty else { return .incomplete }
        reset()
        let consumed = http_parser_execute(parser, Self.settings, base.assumingMemoryBound(to: CChar.self), input.count)
        if let handOverReason {
            return .handOver(reason: handOverReason)
        }
        let code = moat_http_parser_errno(parser)
        guard messageComplete else {
            if code != HPE_OK.rawValue {
                return .handOver(reason: String(cString: http_errno_description(http_errno(code))))
            }
            return .incomplete
        }
        let head = UnsafeRawBufferPointer(rebasing: input[0..<consumed])
        if let problem = Self.lineEndProblem(head) {
            return .handOver(reason: problem)
        }
        let method = String(cString: http_method_str(moat_http_parser_method(parser)))
        return .complete(LoopRequestHead(
            method: method, target: String(decoding: target, as: UTF8.self), headers: headers,
            byteCount: consumed, keepAlive: keepAlive
        ))
    }

    private func reset() {
        http_parser_init(parser, HTTP_REQUEST)
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        target = UnsafeBufferPointer(start: nil, count: 0)
        fieldName = UnsafeBufferPointer(start: nil, count: 0)
        fieldValue = UnsafeBufferPointer(start: nil, count: 0)
        headers = HTTPHeaders()
        lastWasValue = false
        hostCount = 0
        handOverReason = nil
        messageComplete = false
        keepAlive = false
    }

    /// Returns why the head's line ends are not strict CRLF, or nil when they are.
    ///
    /// http_parser also takes a bare LF as a line end and joins folded lines,
    /// which libmicrohttpd's strict mode rejects.
    private static func lineEndProblem(_ head: UnsafeRawBufferPointer) -> String? {
        guard head.count >= 4, head[head.count - 4] == 0x0D, head[head.count - 3] == 0x0A,
              head[head.count - 2] == 0x0D, head[head.count - 1] == 0x0A,
              let base = head.baseAddress
        else { return "the head does not end with CRLF CRLF" }
        // Every LF follows a CR and no line starts with whitespace; with as
        // many CRs as LFs, every CR is part of a CRLF.
        var lineFeeds = 0
        var offset = 0
        while let found = memchr(base + offset, 0x0A, head.count - offset) {
            let index = base.distance(to: UnsafeRawPointer(found))
            guard index > 0, head[index - 1] == 0x0D else { return "a line ends with a bare LF" }
            if index + 1 < head.count, head[index + 1] == 0x20 || head[index + 1] == 0x09 {
                return "a header line is folded"
            }
            lineFeeds += 1
            offset = index + 1
        }
        var carriageReturns = 0
        offset = 0
        while let found = memchr(base + offset, 0x0D, head.count - offset) {
            carriageReturns += 1
            offset = base.distance(to: UnsafeRawPointer(found)) + 1
        }
        return carriageReturns == lineFeeds ? nil : "a line contains a bare CR"
    }

    // MARK: http_parser callbacks

    /// The callbacks, shared by every parser and never changed after they are set.
    nonisolated(unsafe) private static let settings: UnsafeMutablePointer<http_parser_settings> = {
        let pointer = UnsafeMutablePointer<http_parser_settings>.allocate(capacity: 1)
        var settings = http_parser_settings()
        settings.on_url = { parser, bytes, count in
            let owner = owner(parser)
            owner.extend(&owner.target, bytes, count)
            return 0
        }
        settings.on_header_field = { parser, bytes, count in
            let owner = owner(parser)
            if owner.lastWasValue {
                owner.commitField()
            }
            owner.extend(&owner.fieldName, bytes, count)
            owner.lastWasValue = false
            return 0
        }
        settings.on_header_value = { parser, bytes, count in
            let owner = owner(parser)
            owner.extend(&owner.fieldValue, bytes, count)
            owner.lastWasValue = true
            return 0
        }
        settings.on_headers_complete = { parser in
            guard let parser else { return -1 }
            return owner(parser).completeHead(parser)
        }
        settings.on_body = { parser, _, _ in
            owner(parser).handOverReason = "the request has a body"
            return -1
        }
        settings.on_message_complete = { parser in
            guard let parser else { return -1 }
            let owner = owner(parser)
            owner.messageComplete = true
            owner.keepAlive = http_should_keep_alive(parser) != 0
            // Stops the parser right after this message, so that the byte count
            // it returns is the head's and pipelined requests stay unread.
            http_parser_pause(parser, 1)
            return 0
        }
        pointer.initialize(to: settings)
        return pointer
    }()

    private static func owner(_ parser: UnsafeMutablePointer<http_parser>?) -> LoopRequestParser {
        Unmanaged<LoopRequestParser>.fromOpaque(parser!.pointee.data).takeUnretainedValue()
    }

    /// Grows `span` by the bytes of a callback. The scanned input stays in
    /// place for the whole scan, so the parts of the head are not copied until
    /// they become strings. http_parser reports an element of one buffer in
    /// one piece, so a piece that does not continue the span is refused.
    private func extend(_ span: inout UnsafeBufferPointer<UInt8>, _ bytes: UnsafePointer<CChar>?, _ count: Int) {
        guard let bytes, count > 0 else { return }
        let start = UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self)
        guard let base = span.baseAddress, !span.isEmpty else {
            span = UnsafeBufferPointer(start: start, count: count)
            return
        }
        guard base + span.count == start else {
            handOverReason = "a part of the head arrived in pieces"
            return
        }
        span = UnsafeBufferPointer(start: base, count: span.count + count)
    }

    private func commitField() {
        let name = fieldName
        var value = fieldValue
        fieldName = UnsafeBufferPointer(start: nil, count: 0)
        fieldValue = UnsafeBufferPointer(start: nil, count: 0)
        guard handOverReason == nil else { return }
        // http_parser skips the whitespace before a value but keeps the whitespace after it.
        while let last = value.last, last == 0x20 || last == 0x09 {
            value = UnsafeBufferPointer(rebasing: value.dropLast())
        }
        guard !name.isEmpty, name.allSatisfy(HTTPHeaders.isTokenByte) else {
            handOverReason = "a field name is not a token"
            return
        }
        guard HTTPHeaders.isValidFieldValue(value) else {
            handOverReason = "a field value contains an invalid byte"
            return
        }
        if let reason = Self.handOverReason(forFieldNamed: name) {
            handOverReason = reason
            return
        }
        if Self.equalsIgnoringCase(name, "host") {
            hostCount += 1
        }
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Fields that make a request one for libmicrohttpd.
    private static func handOverReason(forFieldNamed name: UnsafeBufferPointer<UInt8>) -> String? {
        for (lowercase, spelled) in libmicrohttpdFields where equalsIgnoringCase(name, lowercase) {
            return "the request has a \(spelled) field"
        }
        return nil
    }

    private static let libmicrohttpdFields: [(StaticString, String)] = [
        ("content-length", "Content-Length"), ("transfer-encoding", "Transfer-Encoding"), ("upgrade", "Upgrade"), ("expect", "Expect"),
    ]

    /// Compares a field name with a lower-case ASCII name.
    private static func equalsIgnoringCase(_ name: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard name.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<name.count {
            let byte = name[index]
            let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            guard folded == expected[index] else { return false }
        }
        return true
    }

    private func completeHead(_ parser: UnsafeMutablePointer<http_parser>) -> Int32 {
        if lastWasValue || !fieldName.isEmpty {
            commitField()
        }
        if handOverReason != nil {
            return -1
        }
        if parser.pointee.http_major != 1 || parser.pointee.http_minor != 1 {
            handOverReason = "the request is not HTTP/1.1"
        } else if hostCount != 1 {
            handOverReason = "the request does not have exactly one Host field"
        } else if target.first != UInt8(ascii: "/") {
            handOverReason = "the target is not in origin form"
        } else if moat_http_parser_is_upgrade(parser) != 0 || moat_http_parser_is_chunked(parser) != 0 || moat_http_parser_has_content_length(parser) != 0 {
            handOverReason = "the request has a body or an upgrade"
        }
        return handOverReason == nil ? 0 : -1
    }
}
