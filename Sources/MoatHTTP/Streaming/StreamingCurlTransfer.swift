import CCurl
import Foundation
import MoatCore

/// One streaming libcurl transfer. It runs whole on a ``CurlWorkerPool``
/// thread with ``perform(_:)``, or starts on the caller's thread with
/// ``StreamingHTTPClient/sendBlocking(_:body:)`` and continues on a worker
/// thread when its body streams.
final class StreamingCurlTransfer: @unchecked Sendable {
    // @unchecked: after `init`, only the thread that drives the transfer (and the
    // libcurl callbacks it runs) touches the fields. A hand-off passes the pool's lock.
    private let request: StreamingClientRequest
    /// The origin the request goes to, for log lines.
    var upstreamOrigin: String { request.origin }
    /// The request's URL, parsed once.
    private let url: URL
    private let body: HTTPRequestBody?
    private var headers = HTTPHeaders()
    private var buffered = Data()
    private var stream: HTTPBodyStream?
    private var contentLength: Int?
    private var status = 0
    private var headComplete = false
    private var bufferWhole = false
    private var fieldList: UnsafeMutablePointer<curl_slist>?
    private var handle: UnsafeMutableRawPointer?
    private let errorMessage = CurlErrorMessage()
    /// While true, body bytes for the stream are kept in `heldBody` instead of
    /// written to it, because the thread that would read the stream is the
    /// one driving the transfer.
    var holdsStreamedBody = false
    var heldBody: [Data] = []
    /// The head or failure, for ``StreamingHTTPClient/sendBlocking(_:body:)``.
    var deliveredHead: Result<StreamingClientResponse, HTTPClientError>?
    /// Called exactly once with the response head or the failure before it.
    var onHead: ((Result<StreamingClientResponse, HTTPClientError>) -> Void)?
    /// Set for a transfer on an ``EventLoop``'s multi handle, which must never
    /// block: the body goes into the stream with `tryWrite`, and a full buffer
    /// pauses the transfer instead of waiting.
    var onEventLoop = false
    /// Called with the body stream when it is created, so that the event loop
    /// can install its producer hooks before the first byte is written.
    var streamCreated: ((HTTPBodyStream) -> Void)?

    init(_ request: StreamingClientRequest, body: HTTPRequestBody?) throws(HTTPClientError) {
        guard let url = request.url else {
            throw HTTPClientError(.invalidURL, "\(request.origin)\(request.target) is not a valid URL; check the upstream URL and the request target")
        }
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw HTTPClientError(.invalidURL, "URL scheme must be http or https with a host; got \(url.scheme ?? "none")")
        }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(HTTPHeaders.isTokenByte) else {
            throw HTTPClientError(.invalidRequest, "method \(request.method.debugDescription) is not an RFC 9110 token")
        }
        if case .invalid(let reason) = request.headers.validate() {
            throw HTTPClientError(.invalidRequest, reason)
        }
        self.request = request
        self.url = url
        self.body = body
    }

    deinit {
        curl_slist_free_all(fieldList)
    }

    func perform(_ handle: UnsafeMutableRawPointer) {
        self.handle = handle
        configure(handle)
        let code = curl_easy_perform(handle)
        // What the upstream did not read is dropped, so the client's upload can finish.
        body?.discard()
        conclude(code)
        releaseErrorBuffer()
        self.handle = nil
    }

    /// Detaches ``errorMessage`` from the handle, which outlives this transfer when it is reused.
    private func releaseErrorBuffer() {
        if let handle {
            errorMessage.detach(from: handle)
        }
    }

    /// Ends the stream or delivers the whole response once libcurl is done.
    func conclude(_ code: CURLcode) {
        if code == CURLE_OK {
            if headComplete, let stream {
                stream.finish()
            } else {
                deliverHead(.complete(buffered))
            }
        } else if let stream {
            stream.fail()
        } else {
            deliver(.failure(error(for: code)))
        }
    }

    /// Ends a transfer that ``StreamingHTTPClient/sendBlocking(_:body:)`` drove: drops what the upstream did
    /// not read of the upload, then ends the stream or delivers the response.
    func finishTransfer(_ code: CURLcode) {
        body?.discard()
        conclude(code)
        releaseErrorBuffer()
        handle = nil
    }

    /// Sets up `handle` for this transfer.
    ///
    /// - Parameter reusing: `handle` was set up by an earlier transfer of this
    ///   kind and not reset, so the options that never change (protocols,
    ///   proxy, callbacks) are kept and only the per-request ones are set.
    func prepare(_ handle: UnsafeMutableRawPointer, reusing: Bool = false) {
        self.handle = handle
        configure(handle, reusing: reusing)
    }

    /// Writes the bytes held back while the caller's thread drove the transfer.
    func releaseHeldBody() {
        holdsStreamedBody = false
        let held = heldBody
        heldBody = []
        for piece in held where stream?.write(piece) != true {
            return
        }
    }

    /// Whether the head was delivered with a body that is still streaming.
    var isStreamingBody: Bool {
        deliveredHead != nil && stream != nil
    }

    private func deliver(_ result: Result<StreamingClientResponse, HTTPClientError>) {
        let callback = onHead
        onHead = nil
        callback?(result)
    }

    private func deliverHead(_ responseBody: StreamingClientResponse.Body) {
        deliver(.success(StreamingClientResponse(status: status, headers: headers, body: responseBody, contentLength: contentLength)))
    }

    private func configure(_ handle: UnsafeMutableRawPointer, reusing: Bool = false) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        func setLong(_ option: CURLoption, _ value: Int) { _ = moat_curl_setopt_long(handle, option, value) }
        func setString(_ option: CURLoption, _ value: String) {
            _ = value.withCString { moat_curl_setopt_pointer(handle, option, $0) }
        }

        setString(CURLOPT_URL, url.absoluteString)
        errorMessage.attach(to: handle)
        if reusing {
            // The method options are sticky, so the previous transfer's are cleared first.
            _ = moat_curl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil)
            setLong(CURLOPT_NOBODY, 0)
            setLong(CURLOPT_UPLOAD, 0)
        } else {
            configureFixedOptions(handle)
        }
        setLong(CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000))
        setLong(CURLOPT_MAXAGE_CONN, max(1, Int(request.maxIdleTime.rounded(.up))))
        // libcurl has no per-read timeout; less than 1 byte per second over the
        // read timeout is the closest, and it also bounds the wait for the head.
        setLong(CURLOPT_LOW_SPEED_LIMIT, 1)
        setLong(CURLOPT_LOW_SPEED_TIME, max(1, Int(request.readTimeout.rounded(.up))))
        // Set on every transfer: a reused handle serves one server, whose CA setting does not change.
        if let caFile = request.caFile {
            setString(CURLOPT_CAINFO, caFile)
            _ = moat_curl_setopt_pointer(handle, CURLOPT_CAPATH, nil)
        }

        let hasBody = body.map { $0.announcedLength != 0 } ?? false
        switch request.method {
        case "GET" where !hasBody:
            setLong(CURLOPT_HTTPGET, 1)
        case "HEAD":
            setLong(CURLOPT_NOBODY, 1)
        default:
            setString(CURLOPT_CUSTOMREQUEST, request.method)
            if let body, hasBody || ["POST", "PUT", "PATCH"].contains(request.method) {
                setLong(CURLOPT_UPLOAD, 1)
                // -1 makes libcurl send the body chunked.
                _ = moat_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.announcedLength ?? -1))
                _ = moat_curl_setopt_write_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
                    guard let buffer, let context else { return 0 }
                    return Unmanaged<StreamingCurlTransfer>.fromOpaque(context).takeUnretainedValue().readBody(buffer, size * count)
                }
                _ = moat_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
            }
        }

        var fields: [String] = []
        let framingFields = ["Content-Length", "Transfer-Encoding", "Expect"]
        for field in request.headers where !framingFields.contains(where: { HTTPHeaders.namesMatch($0, field.name) }) {
            // libcurl drops a field written as "Name:"; "Name;" sends it with an empty value.
            fields.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        // Suppress the fields libcurl adds on its own: it waits for 100 Continue
        // before large bodies, and it adds `Accept: */*`.
        fields.append("Expect:")
        if !request.headers.contains("Accept") {
            fields.append("Accept:")
        }
        for field in fields {
            fieldList = curl_slist_append(fieldList, field)
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, fieldList)

        _ = moat_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = moat_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        // On an event loop a cancelled stream removes the transfer at once, so no progress polling is needed.
        guard !onEventLoop else { return }
        setLong(CURLOPT_NOPROGRESS, 0)
        _ = moat_curl_setopt_xferinfo_callback(handle) { context, _, _, _, _ in
            guard let context else { return 0 }
            // A non-zero return aborts the transfer, here because the client went away.
            return Unmanaged<StreamingCurlTransfer>.fromOpaque(context).takeUnretainedValue().stream?.isCancelled == true ? 1 : 0
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
    }

    /// Sets the options that are the same for every transfer.
    private func configureFixedOptions(_ handle: UnsafeMutableRawPointer) {
        func setLong(_ option: CURLoption, _ value: Int) { _ = moat_curl_setopt_long(handle, option, value) }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        // An empty proxy string disables proxies, including those from the environment.
        _ = moat_curl_setopt_pointer(handle, CURLOPT_PROXY, "")
        setLong(CURLOPT_NOSIGNAL, 1)
        setLong(CURLOPT_FOLLOWLOCATION, 0)
        // Keep the upstream's framing-independent bytes as they are: no decoding of gzip or similar.
        setLong(CURLOPT_HTTP_CONTENT_DECODING, 0)
        _ = moat_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            return Unmanaged<StreamingCurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveBody(buffer, size * count)
        }
        _ = moat_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            Unmanaged<StreamingCurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveHeaderLine(buffer, size * count)
            return size * count
        }
    }

    private func readBody(_ buffer: UnsafeMutablePointer<CChar>, _ capacity: Int) -> Int {
        guard let body else { return 0 }
        switch body.read(maxBytes: capacity) {
        case .data(let data):
            data.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress!, byteCount: data.count)
            }
            return data.count
        case .end:
            return 0
        case .aborted:
            return Int(CURL_READFUNC_ABORT)
        }
    }

    private func receiveHeaderLine(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) {
        // Parsed on bytes: Foundation's trimming was a visible per-request cost.
        let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            endOfHead()
            return
        }
        let line = bytes[first...last]
        if line.starts(with: "HTTP/".utf8) {
            // A new status line starts a new response (after 1xx), so earlier fields are dropped.
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let valueStart = line[(colon + 1)...].firstIndex { !isSpace($0) } ?? line.endIndex
        headers.add(String(decoding: line[..<colon], as: UTF8.self), String(decoding: line[valueStart...], as: UTF8.self))
    }

    private func endOfHead() {
        guard let handle else { return }
        _ = moat_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard status >= 200 else { return }
        headComplete = true
        var length: curl_off_t = -1
        _ = moat_curl_getinfo_off_t(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        contentLength = length >= 0 ? Int(length) : nil
        let bodyless = request.method == "HEAD" || status == 204 || status == 304
        if bodyless {
            contentLength = nil
        }
        if bodyless || (contentLength.map { $0 <= request.bufferLimit } ?? false) {
            bufferWhole = true
            return
        }
        let stream = HTTPBodyStream()
        self.stream = stream
        streamCreated?(stream)
        deliverHead(.stream(stream))
    }

    private func receiveBody(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        let data = Data(bytes: buffer, count: count)
        if stream != nil, holdsStreamedBody {
            heldBody.append(data)
            return count
        }
        if let stream, onEventLoop {
            switch stream.tryWrite(data) {
            case .accepted:
                return count
            case .full:
                // libcurl keeps the piece and offers it again after curl_easy_pause(CURLPAUSE_CONT).
                return Int(CURL_WRITEFUNC_PAUSE)
            case .closed:
                return 0
            }
        }
        if let stream {
            // Returning fewer bytes than offered makes libcurl stop with CURLE_WRITE_ERROR.
            return stream.write(data) ? count : 0
        }
        guard buffered.count + count <= max(request.bufferLimit, contentLength ?? 0) else { return 0 }
        buffered.append(data)
        return count
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        let host = url.host ?? ""
        let detail = errorMessage.detail(for: code)
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPClientError(.timedOut, "request to \(host) timed out: \(detail)")
        case CURLE_ABORTED_BY_CALLBACK, CURLE_READ_ERROR:
            return HTTPClientError(.cancelled, "request to \(host) was cancelled: \(detail)")
        default:
            return HTTPClientError(curlCode: code, host: host, detail: detail)
        }
    }
}
