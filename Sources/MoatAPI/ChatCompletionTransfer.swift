import CCurl
import Foundation
import MoatCore
import MoatHTTP

/// One streamed chat-completions request on libcurl, run on a thread of its
/// own, that hands each received body piece to `onData` as it arrives.
///
/// MoatHTTP's `StreamingHTTPClient` returns the body as an `HTTPBodyStream`,
/// whose reading side only the HTTP server can use, so the answerer drives
/// libcurl itself with the same settings as `HTTPClient`: no proxies from the
/// environment, no redirects, `http` and `https` only, TLS verified.
final class ChatCompletionTransfer: @unchecked Sendable {
    // @unchecked: the handle and buffers are touched only by the thread inside
    // `perform`; `cancelled` is the one field other threads set, and it is locked.
    private let url: URL
    private let headers: HTTPHeaders
    private let body: Data
    private let connectTimeout: TimeInterval
    private let readTimeout: TimeInterval
    private let handle: UnsafeMutableRawPointer
    private var fieldList: UnsafeMutablePointer<curl_slist>?
    private var status = 0
    private var contentType = ""
    /// Returns false to stop the transfer, for example because the reader went away.
    private let onData: (_ status: Int, _ contentType: String, _ data: Data) -> Bool
    private let cancelled = LockedValue(false)
    private var stoppedByReader = false
    /// Released after `handle`, which `deinit` cleans up first.
    private let errorMessage = CurlErrorMessage()

    /// The way a transfer ended.
    enum Ending: Equatable {
        case completed
        /// `onData` returned false or ``cancel()`` was called.
        case cancelled
        case failed(String)
    }

    /// - Parameters:
    ///   - readTimeout: seconds the upstream may send nothing before the transfer fails.
    init(
        url: URL, headers: HTTPHeaders, body: Data, connectTimeout: TimeInterval, readTimeout: TimeInterval,
        onData: @escaping (_ status: Int, _ contentType: String, _ data: Data) -> Bool
    ) throws(ModelError) {
        CurlLibrary.initialize()
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw ModelError("the model endpoint must be an http or https URL with a host; got scheme \(url.scheme ?? "none")")
        }
        guard let handle = curl_easy_init() else {
            throw ModelError("curl_easy_init failed, which happens only when memory runs out")
        }
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.handle = handle
        self.onData = onData
    }

    deinit {
        curl_slist_free_all(fieldList)
        curl_easy_cleanup(handle)
    }

    /// Stops the transfer from another thread; libcurl notices within about a second.
    func cancel() {
        cancelled.withLock { $0 = true }
    }

    /// Runs the transfer to its end on the calling thread, which blocks.
    func perform() -> Ending {
        configure()
        let code = curl_easy_perform(handle)
        if code == CURLE_OK {
            return .completed
        }
        if stoppedByReader || code == CURLE_ABORTED_BY_CALLBACK {
            return .cancelled
        }
        let host = url.host ?? ""
        let detail = errorMessage.detail(for: code)
        if code == CURLE_OPERATION_TIMEDOUT {
            return .failed("the request to \(host) timed out: \(detail)")
        }
        return .failed("the request to \(host) failed: \(detail)")
    }

    private func configure() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        setString(CURLOPT_URL, url.absoluteString)
        errorMessage.attach(to: handle)
        setString(CURLOPT_PROTOCOLS_STR, "http,https")
        // An empty proxy string disables proxies, including those from the environment.
        setString(CURLOPT_PROXY, "")
        setLong(CURLOPT_NOSIGNAL, 1)
        setLong(CURLOPT_FOLLOWLOCATION, 0)
        setLong(CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))
        // libcurl has no per-read timeout; less than 1 byte per second over the
        // read timeout is the closest, and it also bounds the wait for the first token.
        setLong(CURLOPT_LOW_SPEED_LIMIT, 1)
        setLong(CURLOPT_LOW_SPEED_TIME, max(1, Int(readTimeout.rounded(.up))))
        setString(CURLOPT_CUSTOMREQUEST, "POST")
        _ = moat_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        body.withUnsafeBytes { bytes in
            // COPYPOSTFIELDS copies the bytes, so the buffer may go away after this call.
            _ = moat_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
        }

        // Without `Expect:` libcurl waits for 100 Continue before sending bodies over 1 KiB.
        var fields = ["Expect:"]
        for field in headers {
            fields.append("\(field.name): \(field.value)")
        }
        for field in fields {
            fieldList = curl_slist_append(fieldList, field)
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, fieldList)

        _ = moat_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            return Unmanaged<ChatCompletionTransfer>.fromOpaque(context).takeUnretainedValue().receive(buffer, size * count)
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = moat_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            Unmanaged<ChatCompletionTransfer>.fromOpaque(context).takeUnretainedValue().receiveHeaderLine(buffer, size * count)
            return size * count
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        setLong(CURLOPT_NOPROGRESS, 0)
        _ = moat_curl_setopt_xferinfo_callback(handle) { context, _, _, _, _ in
            guard let context else { return 0 }
            // A non-zero return aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
            return Unmanaged<ChatCompletionTransfer>.fromOpaque(context).takeUnretainedValue().cancelled.current ? 1 : 0
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
    }

    private func receive(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        if status == 0 {
            _ = moat_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        }
        let data = Data(bytes: buffer, count: count)
        guard !cancelled.current, onData(status, contentType, data) else {
            stoppedByReader = true
            // Returning fewer bytes than offered makes libcurl stop with CURLE_WRITE_ERROR.
            return 0
        }
        return count
    }

    private func receiveHeaderLine(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) {
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
        guard let colon = line.firstIndex(of: ":"),
              line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "content-type"
        else { return }
        contentType = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        _ = moat_curl_setopt_long(handle, option, value)
    }

    private func setString(_ option: CURLoption, _ value: String) {
        // libcurl copies string options since 7.17.
        _ = value.withCString { moat_curl_setopt_pointer(handle, option, $0) }
    }
}
