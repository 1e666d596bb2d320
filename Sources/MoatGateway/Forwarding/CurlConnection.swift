import CCurl
import Foundation
import MoatHTTP

/// A connection to the upstream that libcurl opened with `CURLOPT_CONNECT_ONLY`
/// and the caller then reads and writes raw with `curl_easy_recv` and
/// `curl_easy_send`: plain TCP for `http`, TLS for `https`.
///
/// libcurl 7.88 has no ws/wss protocol and cannot hand over an upgraded
/// HTTP transfer, but it can open the connection. It resolves the host and
/// connects without a proxy. For https it also does the handshake with
/// certificate and host name verification, which no setting turns off.
final class CurlConnection: @unchecked Sendable {
    // @unchecked: after `open` returns, one thread at a time uses the handle (the opener, then the tunnel's pump).
    enum ReceiveResult: Equatable {
        case bytes(Int)
        /// Nothing to read now: wait with `poll` on ``socket``.
        case wouldBlock
        /// The upstream ended the stream.
        case closed
        case failed(String)
    }

    private let handle: UnsafeMutableRawPointer
    /// The socket under the connection, for `poll` only: reading it directly would bypass TLS.
    let socket: Int32
    private var isClosed = false

    private init(handle: UnsafeMutableRawPointer, socket: Int32) {
        self.handle = handle
        self.socket = socket
    }

    deinit {
        close()
    }

    /// Connects to the origin of `url` (`http` or `https`) and, for https,
    /// completes the TLS handshake. Blocks for at most `connectTimeout` seconds.
    ///
    /// - Parameter caFile: a PEM bundle that replaces the system's trusted CAs; nil uses the system store.
    /// - Throws: ``GatewayError`` `upstream_certificate_invalid` when the
    ///   certificate fails verification (unknown CA, wrong host name, expired),
    ///   `upstream_timeout` when the connect or handshake took too long, and
    ///   `upstream_unreachable` for any other failure.
    static func open(url: URL, caFile: String?, connectTimeout: TimeInterval) throws(GatewayError) -> CurlConnection {
        CurlLibrary.initialize()
        guard let handle = curl_easy_init() else {
            throw GatewayError(.upstreamUnreachable, "libcurl could not create a handle")
        }
        func setLong(_ option: CURLoption, _ value: Int) { _ = moat_curl_setopt_long(handle, option, value) }
        func setString(_ option: CURLoption, _ value: String) {
            _ = value.withCString { moat_curl_setopt_pointer(handle, option, $0) }
        }
        setString(CURLOPT_URL, url.absoluteString)
        setString(CURLOPT_PROTOCOLS_STR, "http,https")
        setString(CURLOPT_PROXY, "")
        setLong(CURLOPT_NOSIGNAL, 1)
        setLong(CURLOPT_CONNECT_ONLY, 1)
        // The connect timeout covers name resolution, TCP connect and the TLS handshake.
        setLong(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(connectTimeout * 1000)))
        // ALPN then offers only http/1.1, so the upstream cannot switch the connection to HTTP/2.
        setLong(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        setLong(CURLOPT_SSL_VERIFYPEER, 1)
        setLong(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile {
            setString(CURLOPT_CAINFO, caFile)
            // Without this, the build's default CA folder (/etc/ssl/certs on Debian) would still be trusted.
            _ = moat_curl_setopt_pointer(handle, CURLOPT_CAPATH, nil)
        }
        let message = CurlErrorMessage()
        message.attach(to: handle)
        let code = curl_easy_perform(handle)
        message.detach(from: handle)
        guard code == CURLE_OK else {
            curl_easy_cleanup(handle)
            throw error(for: code, detail: message.detail(for: code), url: url, hasCAFile: caFile != nil)
        }
        var socket: curl_socket_t = -1
        guard moat_curl_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket >= 0 else {
            curl_easy_cleanup(handle)
            throw GatewayError(.upstreamUnreachable, "libcurl connected to \(url.host ?? "the upstream") but returned no socket")
        }
        return CurlConnection(handle: handle, socket: socket)
    }

    private static func error(for code: CURLcode, detail: String, url: URL, hasCAFile: Bool) -> GatewayError {
        let origin = GatewayConfiguration.origin(of: url.absoluteString)
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            let fix = hasCAFile
                ? "check that the certificate names the upstream's host and chains to a CA in gateway.upstream_ca_file"
                : "if the upstream uses a private CA, set gateway.upstream_ca_file to its PEM bundle"
            return GatewayError(.upstreamCertificateInvalid, "the TLS certificate of \(origin) failed verification (\(detail)); \(fix)")
        case CURLE_OPERATION_TIMEDOUT:
            return GatewayError(.upstreamTimeout, "connecting to \(origin) timed out: \(detail)")
        default:
            return GatewayError(.upstreamUnreachable, "connecting to \(origin) failed: \(detail)")
        }
    }

    /// Sends all of `bytes`, waiting with `poll` while the socket buffer is
    /// full. Returns false when the connection failed.
    func sendAll(_ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            var sent = 0
            let code = bytes[offset...].withUnsafeBytes { curl_easy_send(handle, $0.baseAddress, $0.count, &sent) }
            if code == CURLE_AGAIN {
                guard wait(for: Int16(POLLOUT), timeoutMilliseconds: -1) else { return false }
                continue
            }
            guard code == CURLE_OK else { return false }
            offset += sent
        }
        return true
    }

    /// Reads what is available now into `buffer` without blocking.
    ///
    /// TLS can hold decrypted bytes while the socket is not readable, so
    /// callers read until ``ReceiveResult/wouldBlock`` before they poll again.
    func receive(into buffer: inout [UInt8]) -> ReceiveResult {
        var received = 0
        let code = buffer.withUnsafeMutableBytes { curl_easy_recv(handle, $0.baseAddress, $0.count, &received) }
        switch code {
        case CURLE_OK:
            // NOTE: libcurl 7.88 also reports a TLS stream that ends without a close_notify
            // alert (RFC 8446 §6.1) this way, so a truncation looks like a clean end here.
            return received > 0 ? .bytes(received) : .closed
        case CURLE_AGAIN:
            return .wouldBlock
        default:
            return .failed(String(cString: curl_easy_strerror(code)))
        }
    }

    /// Waits until the socket is ready for `events`; false on timeout or error.
    func wait(for events: Int16, timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        while true {
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// Ends the direction towards the upstream (TCP FIN) and keeps reading.
    /// Over TLS this sends no close_notify, because libcurl has no half-close,
    /// so the upstream reads the end of the TCP stream.
    func shutdownWrite() {
        _ = shutdown(socket, Int32(SHUT_WR))
    }

    /// Closes the connection; later calls do nothing.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        curl_easy_cleanup(handle)
    }
}
