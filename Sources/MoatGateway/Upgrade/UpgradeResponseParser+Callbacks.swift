import CHTTPParser
import Foundation

/// The fields, body and state of one response, filled in by http_parser's
/// callbacks. The parser's `data` points at it without retaining it, because
/// ``UpgradeResponseParser`` owns both.
final class ResponseCollector {
    private enum LastCallback {
        case none, field, value
    }

    let maxBodyBytes: Int
    private(set) var fields: [(name: [UInt8], value: [UInt8])] = []
    private(set) var status = 0
    private(set) var body: [UInt8] = []
    private(set) var isHeadComplete = false
    private(set) var isMessageComplete = false
    private(set) var hasFoldedLine = false
    private(set) var isBodyTooLarge = false
    /// `major.minor` of a response that is not HTTP/1.1.
    private(set) var invalidVersion: String?
    private var lastCallback = LastCallback.none

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func reset() {
        startMessage()
        hasFoldedLine = false
        isBodyTooLarge = false
        invalidVersion = nil
    }

    private func startMessage() {
        fields = []
        status = 0
        body = []
        isHeadComplete = false
        isMessageComplete = false
        lastCallback = .none
    }

    /// Sets the callbacks. A non-zero return from a data callback stops the
    /// parser with an error, which ``UpgradeResponseParser`` then reports.
    static func install(in settings: inout http_parser_settings) {
        settings.on_message_begin = { parser in
            ResponseCollector.from(parser).startMessage()
            return 0
        }
        settings.on_header_field = { parser, bytes, count in
            ResponseCollector.from(parser).addFieldName(bytes, count)
            return 0
        }
        settings.on_header_value = { parser, bytes, count in
            ResponseCollector.from(parser).addFieldValue(bytes, count) ? 0 : 1
        }
        settings.on_headers_complete = { parser in
            guard let parser else { return -1 }
            return ResponseCollector.from(parser).completeHead(parser)
        }
        settings.on_body = { parser, bytes, count in
            ResponseCollector.from(parser).addBody(bytes, count) ? 0 : 1
        }
        settings.on_message_complete = { parser in
            let collector = ResponseCollector.from(parser)
            // An interim response ends without a body; the final one follows it.
            if collector.isHeadComplete {
                collector.isMessageComplete = true
            }
            return 0
        }
    }

    private static func from(_ parser: UnsafeMutablePointer<http_parser>?) -> ResponseCollector {
        Unmanaged<ResponseCollector>.fromOpaque(parser!.pointee.data).takeUnretainedValue()
    }

    private func addFieldName(_ bytes: UnsafePointer<CChar>?, _ count: Int) {
        if lastCallback != .field {
            fields.append((name: [], value: []))
        }
        fields[fields.count - 1].name += Self.bytes(bytes, count)
        lastCallback = .field
    }

    /// Returns false for a folded line: the parser saw the whole head in one
    /// buffer, so a second value callback for the same field means a continuation line.
    private func addFieldValue(_ bytes: UnsafePointer<CChar>?, _ count: Int) -> Bool {
        guard lastCallback == .field else {
            hasFoldedLine = true
            return false
        }
        fields[fields.count - 1].value = Self.bytes(bytes, count)
        lastCallback = .value
        return true
    }

    /// Returns 2 for a 101, which makes http_parser stop at the end of the head
    /// and set its `upgrade` flag, 0 to go on, and -1 to stop with an error.
    private func completeHead(_ parser: UnsafeMutablePointer<http_parser>) -> Int32 {
        let major = parser.pointee.http_major
        let minor = parser.pointee.http_minor
        guard major == 1, minor == 1 else {
            invalidVersion = "\(major).\(minor)"
            return -1
        }
        let code = Int(moat_http_parser_status(parser))
        if (100..<200).contains(code), code != 101 {
            return 0
        }
        status = code
        isHeadComplete = true
        return code == 101 ? 2 : 0
    }

    private func addBody(_ bytes: UnsafePointer<CChar>?, _ count: Int) -> Bool {
        guard body.count + count <= maxBodyBytes else {
            isBodyTooLarge = true
            return false
        }
        body += Self.bytes(bytes, count)
        return true
    }

    private static func bytes(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }
}
