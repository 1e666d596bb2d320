import CCurl

/// A buffer for libcurl's own description of a failed transfer
/// (`CURLOPT_ERRORBUFFER`). It names the cause, such as a self-signed
/// certificate or a host name mismatch, where `curl_easy_strerror` gives only
/// the error code's generic text.
public final class CurlErrorMessage {
    private let buffer: UnsafeMutablePointer<CChar>

    public init() {
        buffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        buffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        buffer.deallocate()
    }

    /// Clears the buffer and lets libcurl write into it during the next transfer on `handle`.
    public func attach(to handle: UnsafeMutableRawPointer) {
        buffer[0] = 0
        _ = moat_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer)
    }

    /// Stops libcurl from writing into the buffer, because `handle` may outlive it.
    public func detach(from handle: UnsafeMutableRawPointer) {
        _ = moat_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
    }

    /// Returns libcurl's description of the failure with `code`, or the code's generic text when libcurl wrote none.
    public func detail(for code: CURLcode) -> String {
        buffer[0] != 0 ? String(cString: buffer) : String(cString: curl_easy_strerror(code))
    }
}
