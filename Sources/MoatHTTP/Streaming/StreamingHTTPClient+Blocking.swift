import CCurl
import Foundation

extension StreamingHTTPClient {
    /// Sends `request` with `body` (nil for none) on the calling thread and
    /// returns the response head, for an ``HTTPBlockingResponder``.
    ///
    /// The transfer runs on this thread until the head has arrived, and until
    /// the end for a body of at most ``StreamingClientRequest/bufferLimit``
    /// bytes, so a small response needs no other thread. A longer or chunked
    /// body continues on an upstream worker thread that writes it into the
    /// returned ``HTTPBodyStream``. Connections to the upstream stay open in a
    /// shared pool for later calls. Blocks; never call it from the cooperative pool.
    ///
    /// - Throws: the same ``HTTPClientError`` codes as ``send(_:body:)``, and
    ///   `cancelled` when the client behind `body` left before the head arrived
    ///   (see ``HTTPRequestBody/onClientLeave(_:)``).
    public func sendBlocking(_ request: StreamingClientRequest, body: HTTPRequestBody?) throws(HTTPClientError) -> StreamingClientResponse {
        let transfer = try StreamingCurlTransfer(request, body: body)
        guard let channel = UpstreamChannel.take() else {
            throw HTTPClientError(.transferFailed, "libcurl could not allocate a handle for \(request.origin)")
        }
        transfer.onHead = { [unowned transfer] in transfer.deliveredHead = $0 }
        transfer.holdsStreamedBody = true
        curl_easy_reset(channel.easy)
        transfer.prepare(channel.easy)
        curl_multi_add_handle(channel.multi, channel.easy)

        // A client that leaves wakes the wait, so the transfer ends instead of running with no client to read it.
        body?.onClientLeave { [channel] in _ = curl_multi_wakeup(channel.multi) }
        let code = channel.drive(until: { transfer.isStreamingBody || body?.hasClientLeft == true })
        body?.onClientLeave(nil)
        if code == nil, !transfer.isStreamingBody {
            // Removing the unfinished transfer closes its upstream connection.
            Self.end(transfer, on: channel, code: CURLE_ABORTED_BY_CALLBACK)
            logger.debug("upstream transfer cancelled because the client left", metadata: ["moat.upstream.origin": request.origin])
            throw HTTPClientError(.cancelled, "the client left before \(request.origin) sent the response head")
        }
        if let code, !transfer.isStreamingBody {
            Self.end(transfer, on: channel, code: code)
        } else {
            // The body streams from a worker, because this thread may be the one that sends it to the client.
            CurlWorkerPool.shared.submit { _ in
                transfer.releaseHeldBody()
                let final = code ?? channel.drive(until: { false }) ?? CURLE_OK
                Self.end(transfer, on: channel, code: final)
            }
        }
        guard let head = transfer.deliveredHead else {
            throw HTTPClientError(.transferFailed, "the transfer to \(request.origin) ended without a response")
        }
        if case .failure(let error) = head {
            logger.debug("upstream request failed", metadata: ["moat.upstream.origin": request.origin, "moat.error.code": error.code.description])
        }
        return try head.get()
    }

    private static func end(_ transfer: StreamingCurlTransfer, on channel: UpstreamChannel, code: CURLcode) {
        curl_multi_remove_handle(channel.multi, channel.easy)
        transfer.releaseHeldBody()
        transfer.finishTransfer(code)
        UpstreamChannel.give(channel)
    }
}
