import CCurl
import Foundation
import MoatCore

/// One libcurl easy transfer with its buffers.
final class CurlTransfer: @unchecked Sendable {
    // @unchecked: the buffers are touched only by the thread inside `perform`;
    // `cancelled` is the one field shared with other threads, and it is locked.
    private let request: HTTPClientRequest
    private let handle: UnsafeMutableRawPointer
    private var fieldList: UnsafeMutablePointer<curl_slist>?
    private var body = Data()
    private var headers = HTTPHeaders()
    private var exceededLimit = false
    private let cancelled = LockedValue(false)
    /// Released after `handle`, which `deinit` cleans up first.
    private let errorMessage = CurlErrorMessage()

    init(_ request: HTTPClientRequest) throws(HTTPClientError) {
        CurlLibrary.initialize()
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https", request.url.host != nil else {
            throw HTTPClientError(.invalidURL, "URL scheme must be http or https with a host; got \(request.url.scheme ?? "none")")
        }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(HTTPHeaders.isTokenByte) else {
            throw HTTPClientError(.invalidRequest, "method \(request.method.debugDescription) is not an RFC 9110 token")
        }
        if case .invalid(let reason) = request.headers.validate() {
            throw HTTPClientError(.invalidRequest, reason)
        }
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(.transferFailed, "curl_easy_init failed, which happens only when memory runs out")
        }
        self.request = request
        self.handle = handle
    }

    deinit {
        curl_slist_free_all(fieldList)
        curl_easy_cleanup(handle)
    }

    func cancel() {
        cancelled.withLock { $0 = true }
    }

    /// Runs the transfer to completion on the calling thread.
    func perform() -> Result<HTTPClientResponse, HTTPClientError> {
        configure()
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            return .failure(error(for: code))
        }
        var status = 0
        _ = moat_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPClientResponse(status: status, headers: headers, body: body))
    }

    private func configure() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        setString(CURLOPT_URL, request.url.absoluteString)
        errorMessage.attach(to: handle)
        setString(CURLOPT_PROTOCOLS_STR, "http,https")
        // An empty proxy string disables proxies, including those from the environment.
        setString(CURLOPT_PROXY, "")
        setLong(CURLOPT_NOSIGNAL, 1)
        setLong(CURLOPT_FOLLOWLOCATION, 0)
        setLong(CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
        setLong(CURLOPT_CONNECTTIMEOUT_MS, Int(request.timeout * 1000))
        // libcurl fails early when Content-Length announces too much; the write callback catches the rest.
        _ = moat_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes))

        switch request.method {
        case "GET" where request.body == nil:
            setLong(CURLOPT_HTTPGET, 1)
        case "HEAD":
            setLong(CURLOPT_NOBODY, 1)
        default:
            setString(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let requestBody = request.body {
            _ = moat_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(requestBody.count))
            requestBody.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes, so the buffer may go away after this call.
                _ = moat_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
            }
        }

        var fields = request.headers.map { field in
            // libcurl drops a field written as "Name:"; "Name;" sends it with an empty value.
            field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
        }
        if !request.headers.contains("Expect") {
            // Without this libcurl waits for 100 Continue before sending bodies over 1 KiB.
            fields.append("Expect:")
        }
        for field in fields {
            fieldList = curl_slist_append(fieldList, field)
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, fieldList)

        _ = moat_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.receiveBody(buffer, size * count)
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = moat_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.receiveHeaderLine(buffer, size * count)
            return size * count
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        setLong(CURLOPT_NOPROGRESS, 0)
        _ = moat_curl_setopt_xferinfo_callback(handle) { context, _, _, _, _ in
            guard let context else { return 0 }
            // A non-zero return aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().cancelled.current ? 1 : 0
        }
        _ = moat_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
    }

    private func receiveBody(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        guard body.count + count <= request.maxResponseBytes else {
            exceededLimit = true
            // Returning fewer bytes than offered makes libcurl stop with CURLE_WRITE_ERROR.
            return 0
        }
        buffer.withMemoryRebound(to: UInt8.self, capacity: count) { body.append($0, count: count) }
        return count
    }

    private func receiveHeaderLine(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) {
        let line = buffer.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new status line starts a new response (after 1xx), so earlier fields are dropped.
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        headers.add(name, value)
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        let host = request.url.host ?? ""
        let detail = errorMessage.detail(for: code)
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPClientError(.timedOut, "request to \(host) timed out after \(request.timeout) s")
        case CURLE_FILESIZE_EXCEEDED:
            return HTTPClientError(.responseTooLarge, "response from \(host) exceeds the limit of \(request.maxResponseBytes) bytes")
        case CURLE_WRITE_ERROR where exceededLimit:
            return HTTPClientError(.responseTooLarge, "response from \(host) exceeds the limit of \(request.maxResponseBytes) bytes")
        case CURLE_ABORTED_BY_CALLBACK:
            return HTTPClientError(.cancelled, "request to \(host) was cancelled")
        default:
            return HTTPClientError(curlCode: code, host: host, detail: detail)
        }
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        _ = moat_curl_setopt_long(handle, option, value)
    }

    private func setString(_ option: CURLoption, _ value: String) {
        // libcurl copies string options (CURLOPT_URL and the others used here) since 7.17.
        _ = value.withCString { moat_curl_setopt_pointer(handle, option, $0) }
    }
}
