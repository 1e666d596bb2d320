import Foundation
import MoatHTTP

/// A connection to the upstream for a WebSocket (or other) upgrade.
///
/// libcurl opens the connection (``CurlConnection``, TLS for an https
/// upstream), the gateway writes the request head, http_parser reads the
/// response head (``UpgradeResponseParser``), and after a 101 the pump
/// copies bytes both ways until both sides closed.
final class WebSocketTunnel: @unchecked Sendable {
    // @unchecked: after `open` returns, the connection is used by one pump thread only.

    /// The upstream's response to an upgrade request.
    enum Outcome {
        /// A 101: the tunnel is ready to pump.
        case switched(WebSocketTunnel)
        /// Any other final status, with its whole body, for the client as it is.
        case rejected(UpgradeResponseHead, body: [UInt8])
    }

    let connection: CurlConnection
    /// The 101 response's status and fields.
    let head: UpgradeResponseHead
    /// Bytes that followed the 101 head, already in the new protocol.
    let leftover: [UInt8]

    /// Largest response head accepted from the upstream, interim responses included, in bytes.
    static let maxHeadBytes = 16 * 1024
    /// Largest body of a response that refuses the upgrade, in bytes; a larger one gets 502.
    static let maxRejectionBodyBytes = 64 * 1024

    private init(connection: CurlConnection, head: UpgradeResponseHead, leftover: [UInt8]) {
        self.connection = connection
        self.head = head
        self.leftover = leftover
    }

    /// Connects to the upstream at `url`, sends `requestHead` and reads the
    /// response. Blocks for at most `connectTimeout` plus `readTimeout` seconds.
    ///
    /// - Parameter caFile: a PEM bundle that replaces the system's trusted CAs for an https upstream.
    /// - Throws: ``GatewayError``: see ``CurlConnection/open(url:caFile:connectTimeout:)``;
    ///   `upstream_timeout` when no complete response arrives within `readTimeout`;
    ///   `upstream_protocol_error` for a response that breaks the rules of ``UpgradeResponseParser``.
    static func open(
        url: URL, caFile: String?, requestHead: String, connectTimeout: TimeInterval, readTimeout: TimeInterval
    ) throws(GatewayError) -> Outcome {
        let connection = try CurlConnection.open(url: url, caFile: caFile, connectTimeout: connectTimeout)
        do throws(GatewayError) {
            guard connection.sendAll(Array(requestHead.utf8)[...]) else {
                throw GatewayError(.upstreamUnreachable, "sending the upgrade request to \(url.host ?? "the upstream") failed")
            }
            return try readResponse(connection, readTimeout: readTimeout)
        } catch {
            connection.close()
            throw error
        }
    }

    private static func readResponse(_ connection: CurlConnection, readTimeout: TimeInterval) throws(GatewayError) -> Outcome {
        let parser = UpgradeResponseParser(maxHeadBytes: maxHeadBytes, maxBodyBytes: maxRejectionBodyBytes)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(readTimeout * 1_000_000_000)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let outcome: UpgradeResponseParser.Outcome
            switch connection.receive(into: &buffer) {
            case .bytes(let count):
                outcome = try parser.consume(buffer[0..<count])
            case .wouldBlock:
                let now = DispatchTime.now().uptimeNanoseconds
                let remaining = deadline > now ? Int32(min((deadline - now) / 1_000_000, UInt64(Int32.max))) : 0
                guard remaining > 0, connection.wait(for: Int16(POLLIN), timeoutMilliseconds: remaining) else {
                    throw GatewayError(.upstreamTimeout, "the upstream did not respond to the upgrade within \(Int(readTimeout)) s")
                }
                continue
            case .closed:
                outcome = try parser.finish()
            case .failed(let detail):
                throw GatewayError(.upstreamUnreachable, "reading the upstream's response to the upgrade failed: \(detail)")
            }
            switch outcome {
            case .incomplete:
                continue
            case .switchingProtocols(let head, let leftover):
                return .switched(WebSocketTunnel(connection: connection, head: head, leftover: leftover))
            case .final(let head, let body):
                connection.close()
                return .rejected(head, body: body)
            }
        }
    }
}
