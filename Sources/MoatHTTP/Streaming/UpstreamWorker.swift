import Foundation

/// A thread of the upstream worker pool, with the libcurl handle that keeps
/// its connections to upstreams open. Use it only inside the job it was passed to.
public struct UpstreamWorker: @unchecked Sendable {
    // @unchecked: the handle belongs to the worker thread running the job, which is the only user.
    let handle: UnsafeMutableRawPointer

    /// Sends `request` on this thread and blocks until the transfer ends.
    ///
    /// `onHead` is called exactly once on this thread: with the response head
    /// as soon as it arrives (the body then streams while this call still
    /// runs), with the whole response for small bodies, or with the failure
    /// that came before the head.
    public func send(
        _ request: StreamingClientRequest, body: HTTPRequestBody?,
        onHead: @escaping (Result<StreamingClientResponse, HTTPClientError>) -> Void
    ) {
        let transfer: StreamingCurlTransfer
        do {
            transfer = try StreamingCurlTransfer(request, body: body)
        } catch {
            onHead(.failure(error))
            return
        }
        transfer.onHead = onHead
        transfer.perform(handle)
    }
}

extension StreamingHTTPClient {
    /// Runs `job` on an upstream worker thread, which may block. A job that
    /// finds no idle worker gets a new thread, so long transfers never delay others.
    public static func runOnWorker(_ job: @escaping @Sendable (UpstreamWorker) -> Void) {
        CurlWorkerPool.shared.submit { handle in
            job(UpstreamWorker(handle: handle))
        }
    }
}
