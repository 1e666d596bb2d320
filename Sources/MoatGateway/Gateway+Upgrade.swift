import Foundation
import MoatHTTP

extension Gateway {
    /// Opens a tunnel to the upstream (http or https) and, when it switches
    /// protocols, hands the client connection over to it. Any other response
    /// goes back to the client as it is. Blocks while connecting; call it on a worker thread.
    func forwardUpgrade(_ request: HTTPRequest, headers: HTTPHeaders) -> HTTPResponse {
        var requestHead = "GET \(request.target) HTTP/1.1\r\n"
        for field in headers {
            requestHead += "\(field.name): \(field.value)\r\n"
        }
        requestHead += "Connection: Upgrade\r\nUpgrade: \(request.headers["Upgrade"] ?? "websocket")\r\n\r\n"

        let outcome: WebSocketTunnel.Outcome
        do throws(GatewayError) {
            outcome = try WebSocketTunnel.open(
                url: configuration.upstream, caFile: configuration.upstreamCAFile, requestHead: requestHead,
                connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout
            )
        } catch {
            guard error.code == .upstreamCertificateInvalid else {
                return upstreamFailure(request, isTimeout: error.code == .upstreamTimeout, code: error.code.rawValue, reason: error.reason)
            }
            return upstreamCertificateRejected(request, reason: error.reason)
        }

        switch outcome {
        case .rejected(let head, let body):
            return HTTPResponse(status: head.status, headers: responseHeaders(head.headers, requestID: request.requestID), body: Data(body))
        case .switched(let tunnel):
            var responseFields = responseHeaders(tunnel.head.headers, requestID: request.requestID)
            // Upgrade is hop-by-hop, so responseHeaders removed it, but a 101 must name the new protocol.
            if let upgrade = tunnel.head.headers["Upgrade"] {
                responseFields.set("Upgrade", upgrade)
            }
            var response = HTTPResponse(status: 101, headers: responseFields)
            let logger = logger
            let requestID = request.requestID
            response.upgradeHandler = { connection in
                if let failure = tunnel.pump(connection) {
                    logger.warning("websocket tunnel failed", metadata: ["moat.request.id": requestID, "moat.error": failure])
                } else {
                    logger.info("websocket closed", metadata: ["moat.request.id": requestID])
                }
            }
            logger.info("websocket upgraded", metadata: ["moat.request.id": requestID, "moat.http.path": request.path])
            return response
        }
    }
}
