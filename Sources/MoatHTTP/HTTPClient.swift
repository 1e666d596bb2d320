import CCurl
import Foundation
import MoatCore

/// An outbound HTTP client on libcurl.
///
/// Each ``send(_:)`` runs one libcurl transfer on a thread of its own.
/// Defaults chosen for service-to-service calls:
/// - Redirects are not followed; a 3xx response is returned as is.
/// - Only `http` and `https` are allowed, and TLS certificates are verified.
/// - Proxy environment variables (`http_proxy`, ...) are ignored.
/// - No `Accept-Encoding` is sent, so bodies are never decompressed.
///
/// Logs at debug level only, and never the URL query, headers or bodies.
public struct HTTPClient: Sendable {
    private let logger: Logger

    public init(logger: Logger = .disabled) {
        self.logger = logger
    }

    /// Sends `request` and returns the complete response, whatever its status.
    ///
    /// - Throws: ``HTTPClientError`` with code `invalid_url`,
    ///   `invalid_request`, `connection_failed`, `timed_out`,
    ///   `response_too_large`, `tls_failed`, `cancelled` or `transfer_failed`.
    public func send(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let host = request.url.host ?? ""
        let started = ContinuousClock.now
        let result: Result<HTTPClientResponse, HTTPClientError>
        do {
            let transfer = try CurlTransfer(request)
            result = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    // A thread of its own: libdispatch's global queues grow slowly
                    // when their threads block, which stalls concurrent transfers.
                    Thread.detachNewThread {
                        continuation.resume(returning: transfer.perform())
                    }
                }
            } onCancel: {
                transfer.cancel()
            }
        } catch {
            result = .failure(error)
        }

        var metadata = ["moat.upstream.host": host, "moat.http.method": request.method, "moat.http.duration_ms": Self.milliseconds(since: started)]
        switch result {
        case .success(let response):
            metadata["moat.upstream.status"] = String(response.status)
            logger.debug("outbound request completed", metadata: metadata)
        case .failure(let error):
            metadata["moat.error.code"] = error.code.description
            logger.debug("outbound request failed", metadata: metadata)
        }
        return try result.get()
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        return String(format: "%.3f", Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
}
