import Foundation
import MoatCore
import MoatHTTP

/// Calls the api's chat route and relays its answer while it arrives.
///
/// An event-stream answer is not buffered: the browser's response body is
/// the body stream that the libcurl transfer writes, so each event goes out
/// as soon as the api sends it. The stream also carries the two ways a relay
/// can end early. When the browser disconnects, the server cancels the
/// stream and the transfer to the api stops, so the api stops the model.
/// When the api ends its body without the chunked terminator (the audit
/// record could not be written), the transfer fails the stream and the
/// browser's body ends without a terminator too.
///
/// A JSON or problem answer (the api rejected the request, or does not
/// stream) is relayed whole or streamed with its `Content-Length`.
struct ChatStreamRelay: Sendable {
    /// Seconds the api may send nothing before the relay fails: the wait for
    /// retrieval and the model's first token, or a pause between two events.
    static let readTimeout: TimeInterval = 120

    let logger: Logger

    /// Sends `body` to `url` with `headers` and returns the relayed response
    /// once the api's response head has arrived.
    ///
    /// - Throws: ``HTTPClientError`` when the api could not be reached or
    ///   failed before its response head.
    func relay(to url: URL, headers: HTTPHeaders, body: Data, requestID: String) async throws(HTTPClientError) -> HTTPResponse {
        let request = StreamingClientRequest(method: "POST", url: url, headers: headers, readTimeout: Self.readTimeout)
        let logger = self.logger
        let head: Result<StreamingClientResponse, HTTPClientError> = await withCheckedContinuation { continuation in
            StreamingHTTPClient.runOnWorker { worker in
                var relayedStream: HTTPBodyStream?
                worker.send(request, body: HTTPRequestBody(body)) { result in
                    if case .success(let response) = result, case .stream(let stream) = response.body {
                        relayedStream = stream
                        logger.info("chat stream relay started", metadata: ["moat.request.id": requestID, "moat.upstream.status": "\(response.status)"])
                    }
                    continuation.resume(returning: result)
                }
                // `send` returns when the transfer has ended, so the relay's end is logged here.
                if let relayedStream {
                    logger.info("chat stream relay ended", metadata: [
                        "moat.request.id": requestID, "moat.stream.client_disconnected": "\(relayedStream.isCancelled)",
                    ])
                }
            }
        }
        let upstream = try head.get()

        var response = HTTPResponse(status: upstream.status)
        let contentType = upstream.headers["Content-Type"] ?? "application/json"
        response.headers.set("Content-Type", contentType)
        switch upstream.body {
        case .complete(let data):
            response.body = data
        case .stream(let stream):
            response.bodyStream = stream
            response.bodyLength = upstream.contentLength
        }
        if contentType.lowercased().hasPrefix("text/event-stream") {
            // Asks buffering reverse proxies such as nginx to pass each event on at once.
            response.headers.set("X-Accel-Buffering", "no")
        }
        return response
    }
}
