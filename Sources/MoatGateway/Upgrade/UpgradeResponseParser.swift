import CHTTPParser
import Foundation
import MoatHTTP

/// The status and fields of the upstream's final response to an upgrade request.
struct UpgradeResponseHead: Sendable {
    var status: Int
    var headers: HTTPHeaders
}

/// Parses the upstream's response to an upgrade request with Node's
/// http_parser (Debian's libhttp-parser-dev 2.9.4) in `HTTP_RESPONSE` mode.
///
/// Feed it bytes as they arrive. A 101 ends the parse at the end of the head,
/// because the bytes after it belong to the new protocol. Any other final
/// status is read to the end of its body, so it can go back to the client as
/// it is. Interim 1xx responses other than 101 are skipped (RFC 9110 §15.2).
///
/// The head, interim responses included, must end within `maxHeadBytes` and
/// be HTTP/1.1. Every field must pass `HTTPHeaders.validate`, and obsolete
/// line folding is rejected (RFC 9112 §5.2).
/// Every violation throws ``GatewayError`` `upstream_protocol_error`.
final class UpgradeResponseParser {
    enum Outcome {
        case incomplete
        /// A 101, with the bytes that followed its head.
        case switchingProtocols(UpgradeResponseHead, leftover: [UInt8])
        /// Another final status with its whole body, without transfer coding.
        case final(UpgradeResponseHead, body: [UInt8])
    }

    let maxHeadBytes: Int
    let maxBodyBytes: Int
    private let parser = UnsafeMutablePointer<http_parser>.allocate(capacity: 1)
    private var settings = http_parser_settings()
    private let collector: ResponseCollector
    /// Every byte received until the head is complete.
    private var headBytes: [UInt8] = []
    private var head: UpgradeResponseHead?

    init(maxHeadBytes: Int, maxBodyBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        collector = ResponseCollector(maxBodyBytes: maxBodyBytes)
        ResponseCollector.install(in: &settings)
    }

    deinit {
        parser.deallocate()
    }

    /// Parses the next bytes from the upstream.
    func consume(_ bytes: ArraySlice<UInt8>) throws(GatewayError) -> Outcome {
        guard head == nil else {
            _ = try execute(bytes)
            return try bodyOutcome()
        }
        headBytes += bytes
        // Each attempt parses every byte so far with a fresh parser. The callbacks then see each
        // field in one piece, so a second value callback for one field can only be a folded line.
        http_parser_init(parser, HTTP_RESPONSE)
        parser.pointee.data = Unmanaged.passUnretained(collector).toOpaque()
        collector.reset()
        let window = headBytes.prefix(maxHeadBytes)
        let parsed = try execute(window)
        guard collector.isHeadComplete else {
            if headBytes.count >= maxHeadBytes {
                throw GatewayError(.upstreamProtocolError, "the upstream's response head exceeds \(maxHeadBytes) bytes")
            }
            return .incomplete
        }
        let response = try validatedHead()
        head = response
        if moat_http_parser_is_upgrade(parser) != 0 {
            return .switchingProtocols(response, leftover: Array(headBytes[parsed...]))
        }
        let rest = headBytes[window.endIndex...]
        headBytes = []
        if !rest.isEmpty {
            _ = try execute(rest)
        }
        return try bodyOutcome()
    }

    /// Tells the parser that the upstream closed the connection, which ends a
    /// body that has neither a length nor chunked coding (RFC 9112 §6.3).
    func finish() throws(GatewayError) -> Outcome {
        guard head != nil else {
            throw GatewayError(.upstreamUnreachable, "the upstream closed the connection before its response head ended")
        }
        _ = try execute([][...])
        guard case .final(let response, let body) = try bodyOutcome() else {
            throw GatewayError(.upstreamProtocolError, "the upstream closed the connection before its response body ended")
        }
        return .final(response, body: body)
    }

    private func bodyOutcome() throws(GatewayError) -> Outcome {
        guard let head, collector.isMessageComplete else { return .incomplete }
        return .final(head, body: collector.body)
    }

    /// Runs http_parser over `bytes` and returns how many it consumed.
    private func execute(_ bytes: ArraySlice<UInt8>) throws(GatewayError) -> Int {
        let parsed = bytes.withUnsafeBytes { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                http_parser_execute(parser, &settings, characters.baseAddress, characters.count)
            }
        }
        if collector.hasFoldedLine {
            throw GatewayError(.upstreamProtocolError, "the upstream's response head uses obsolete line folding (RFC 9112 §5.2)")
        }
        if let version = collector.invalidVersion {
            throw GatewayError(.upstreamProtocolError, "the upstream responded to the upgrade with HTTP/\(version); only HTTP/1.1 is accepted")
        }
        if collector.isBodyTooLarge {
            throw GatewayError(.upstreamProtocolError, "the upstream's response body to the upgrade exceeds \(maxBodyBytes) bytes")
        }
        let code = moat_http_parser_errno(parser)
        guard code == HPE_OK.rawValue else {
            let description = String(cString: http_errno_description(http_errno(code)))
            throw GatewayError(.upstreamProtocolError, "the upstream's response to the upgrade is not valid HTTP: \(description)")
        }
        return parsed
    }

    /// Builds the final response's status and fields, checking each field as the gateway checks its own.
    private func validatedHead() throws(GatewayError) -> UpgradeResponseHead {
        var headers = HTTPHeaders()
        for field in collector.fields {
            let name = String(decoding: field.name, as: UTF8.self)
            // http_parser drops the whitespace before a value but keeps the whitespace after it.
            let value = String(decoding: field.value, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            if case .invalid(let reason) = HTTPHeaders.validate(name: name, value: value) {
                throw GatewayError(.upstreamProtocolError, "the upstream's response head has an invalid field: \(reason)")
            }
            headers.add(name, value)
        }
        return UpgradeResponseHead(status: collector.status, headers: headers)
    }
}
