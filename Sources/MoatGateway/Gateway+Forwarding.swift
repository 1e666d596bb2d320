import Foundation
import MoatCore
import MoatHTTP
import MoatJSON

extension Gateway {
    /// Sends the request to the upstream on the calling thread and returns the
    /// response as soon as its head arrives; the body keeps streaming.
    func forward(_ request: HTTPRequest, body: HTTPRequestBody, caller: GatewayCaller?, cookies: [SetCookie]) -> HTTPResponse {
        if Self.isWebSocketUpgrade(request) {
            body.discard()
            do {
                return forwardUpgrade(request, headers: try upstreamHeaders(for: request, caller: caller))
            } catch {
                return assertionFailure(request, error)
            }
        }
        let upstreamRequest: StreamingClientRequest
        switch prepareUpstreamRequest(request, caller: caller) {
        case .success(let prepared):
            upstreamRequest = prepared
        case .failure(let reply):
            body.discard()
            return reply.response
        }
        do {
            let upstream = try upstreamClient.sendBlocking(upstreamRequest, body: body)
            return clientResponse(for: upstream, request: request, cookies: cookies)
        } catch {
            return upstreamFailure(request, error)
        }
    }

    /// A response that replaces the upstream request, carried as an error.
    struct ImmediateReply: Error {
        let response: HTTPResponse
    }

    /// Builds the upstream request: URL, filtered fields, identity fields and assertion.
    func prepareUpstreamRequest(_ request: HTTPRequest, caller: GatewayCaller?) -> Result<StreamingClientRequest, ImmediateReply> {
        let headers: HTTPHeaders
        do {
            headers = try upstreamHeaders(for: request, caller: caller)
        } catch {
            return .failure(ImmediateReply(response: assertionFailure(request, error)))
        }
        // A target of plain URL characters is appended to the origin without parsing
        // it as a URL, because a parse per request was a visible cost. Others are parsed.
        if Self.isPlainOriginForm(request.target) {
            return .success(StreamingClientRequest(
                method: request.method, origin: upstreamOrigin, target: request.target, headers: headers,
                connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout, caFile: configuration.upstreamCAFile
            ))
        }
        guard let url = upstreamURL(request.target) else {
            return .failure(ImmediateReply(
                response: ProblemDetails.badRequest(code: "invalid_target", "the request target cannot be forwarded").response(requestID: request.requestID)
            ))
        }
        return .success(StreamingClientRequest(
            method: request.method, url: url, headers: headers,
            connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout, caFile: configuration.upstreamCAFile
        ))
    }

    private func assertionFailure(_ request: HTTPRequest, _ error: any Error) -> HTTPResponse {
        logger.error("identity assertion could not be signed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
        return ProblemDetails.internalError().response(requestID: request.requestID)
    }

    /// Builds the client's response from an upstream response head, with the session renewal cookies.
    func clientResponse(for upstream: StreamingClientResponse, request: HTTPRequest, cookies: [SetCookie]) -> HTTPResponse {
        var response = HTTPResponse(status: upstream.status, headers: responseHeaders(upstream.headers, requestID: request.requestID))
        switch upstream.body {
        case .complete(let data):
            response.body = data
        case .stream(let stream):
            response.bodyStream = stream
            response.bodyLength = upstream.contentLength
        }
        if request.method == "HEAD", let announced = upstream.headers["Content-Length"].flatMap({ Int($0) }), announced >= 0 {
            // The server sends no body for HEAD but announces this length, the one
            // a GET would get (RFC 9110 §9.3.2), which tools use to size downloads.
            let empty = HTTPBodyStream()
            empty.finish()
            response.bodyStream = empty
            response.bodyLength = announced
        }
        for cookie in cookies {
            response.setCookie(cookie)
        }
        return response
    }

    /// Maps an upstream client error to 502 or, for timeouts, 504.
    func upstreamFailure(_ request: HTTPRequest, _ error: HTTPClientError) -> HTTPResponse {
        if error.code == .cancelled {
            // The client left and the server closes its connection, so no client reads
            // this response. The access log records the abort.
            logger.debug("upstream request cancelled because the client left", metadata: ["moat.request.id": request.requestID])
            return ProblemDetails.badGateway(code: "upstream_unreachable", "the upstream could not be reached").response(requestID: request.requestID)
        }
        if error.code == .certificateInvalid {
            return upstreamCertificateRejected(request, reason: error.reason)
        }
        return upstreamFailure(request, isTimeout: error.code == .timedOut, code: error.code.description, reason: error.reason)
    }

    /// Returns a 502 `upstream_certificate_invalid` response. The reason and the fix go to the log only.
    func upstreamCertificateRejected(_ request: HTTPRequest, reason: String) -> HTTPResponse {
        logger.warning("upstream certificate rejected", metadata: [
            "moat.request.id": request.requestID, "moat.error.code": GatewayError.Code.upstreamCertificateInvalid.rawValue, "moat.error": reason,
            "moat.fix": configuration.upstreamCAFile == nil
                ? "if the upstream uses a private CA, set gateway.upstream_ca_file to its PEM bundle"
                : "check that the certificate names the upstream's host and chains to a CA in gateway.upstream_ca_file",
        ])
        return ProblemDetails.badGateway(code: GatewayError.Code.upstreamCertificateInvalid.rawValue, "the upstream's TLS certificate failed verification")
            .response(requestID: request.requestID)
    }

    /// Returns whether `target` starts with `/` and has only the characters
    /// that RFC 3986 §3.3 and §3.4 allow unescaped in a path and query, plus
    /// `%` (the server rejected invalid escapes already). Such a target after
    /// the upstream's origin forms a valid URL without escaping.
    static func isPlainOriginForm(_ target: String) -> Bool {
        target.withUTF8Buffer { bytes in
            guard bytes.first == UInt8(ascii: "/") else { return false }
            return bytes.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                    UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                    UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"),
                    UInt8(ascii: "?"), UInt8(ascii: "%"):
                    true
                default:
                    false
                }
            }
        }
    }

    /// The upstream URL for a request target: the upstream's origin followed
    /// by the target exactly as the client sent it.
    func upstreamURL(_ target: String) -> URL? {
        guard target.hasPrefix("/") else { return nil }
        return URL(string: upstreamOrigin + target)
    }

    /// Maps a failed upstream call to 502 or, for timeouts, 504.
    func upstreamFailure(_ request: HTTPRequest, isTimeout: Bool, code: String, reason: String) -> HTTPResponse {
        logger.warning("upstream request failed", metadata: [
            "moat.request.id": request.requestID, "moat.error.code": code, "moat.error": reason,
        ])
        if isTimeout {
            let limits = "gateway.connect_timeout \(Self.seconds(configuration.connectTimeout)), gateway.read_timeout \(Self.seconds(configuration.readTimeout))"
            return ProblemDetails(status: 504, code: "upstream_timeout", title: "Gateway Timeout", detail: "the upstream did not respond in time (\(limits))")
                .response(requestID: request.requestID)
        }
        return ProblemDetails.badGateway(code: "upstream_unreachable", "the upstream could not be reached").response(requestID: request.requestID)
    }

    /// Formats a timeout setting as the configuration writes it: `5 s`, `2.5 s`.
    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The fields sent to the upstream:
    ///
    /// 1. Hop-by-hop fields and `Host` are removed, and so is every field that
    ///    claims an identity (``ForwardingHeaders/isIdentityField(_:)``),
    ///    `Authorization`, and the gateway's own cookies.
    /// 2. Forwarding fields (`X-Forwarded-*`, `Forwarded`, `X-Real-IP`, ...)
    ///    are removed unless the peer is a trusted proxy.
    /// 3. `Host`, `X-Forwarded-For`, `-Proto` and `-Host` are set, then the
    ///    identity fields for `caller`.
    func upstreamHeaders(for request: HTTPRequest, caller: GatewayCaller?) throws -> HTTPHeaders {
        let trustedPeer = configuration.trustedProxies.contains(request.remoteAddress)
        // One pass, without a filtered copy of the client's fields first.
        let hopByHop = HopByHopFields(in: request.headers)
        var kept = HTTPHeaders()
        // The client's fields plus Host, the request id, three X-Forwarded fields, four identity fields, two tokens and the assertion.
        kept.reserveCapacity(request.headers.count + 12)
        for field in request.headers {
            let canonical = ForwardingHeaders.canonicalName(field.name)
            if hopByHop.contains(canonical: canonical) {
                continue
            }
            if ForwardingHeaders.isIdentityField(canonical: canonical) || canonical == "authorization" || canonical == "host" || canonical == "cookie"
                || canonical == "x-request-id"
            {
                continue
            }
            if !trustedPeer && ForwardingHeaders.isForwardingField(canonical: canonical) {
                continue
            }
            kept.add(field.name, field.value)
        }
        if let cookie = upstreamCookieHeader(request) {
            kept.add("Cookie", cookie)
        }

        let upstreamHost = upstreamAuthority
        let host = configuration.preserveHost ? (request.headers["Host"] ?? upstreamHost) : upstreamHost
        kept.add("Host", host)
        // The id the gateway logs and returns to the client; a client's own id only when the server accepted it.
        kept.add("X-Request-Id", request.requestID)
        let forwardedFor = trustedPeer ? request.headers["X-Forwarded-For"].map { "\($0), \(request.remoteAddress)" } : nil
        kept.set("X-Forwarded-For", forwardedFor ?? request.remoteAddress)
        if !trustedPeer || !kept.contains("X-Forwarded-Proto") {
            kept.set("X-Forwarded-Proto", configuration.publicScheme)
        }
        if !trustedPeer || !kept.contains("X-Forwarded-Host") {
            kept.set("X-Forwarded-Host", request.headers["Host"] ?? upstreamHost)
        }

        if let caller {
            try addIdentityFields(to: &kept, caller: caller, request: request)
        }
        return kept
    }

    /// The client's `Cookie` field without the gateway's own cookies, or nil when nothing is left.
    private func upstreamCookieHeader(_ request: HTTPRequest) -> String? {
        var forwarded: [UInt8] = []
        for header in request.headers.values(for: "Cookie") {
            HTTPRequest.forEachCookiePair(in: header) { pair in
                let trimmed = pair.drop { $0 == 0x20 || $0 == 0x09 }
                let name = String(decoding: trimmed.prefix { $0 != UInt8(ascii: "=") }, as: UTF8.self)
                if sessionCookie.owns(cookieName: name) || signInCookie.owns(cookieName: name) {
                    return
                }
                if !forwarded.isEmpty {
                    forwarded += "; ".utf8
                }
                forwarded += trimmed
            }
        }
        return forwarded.isEmpty ? nil : String(decoding: forwarded, as: UTF8.self)
    }

    /// App Service's identity fields and the signed assertion.
    private func addIdentityFields(to headers: inout HTTPHeaders, caller: GatewayCaller, request: HTTPRequest) throws {
        headers.add("X-MS-CLIENT-PRINCIPAL", caller.clientPrincipalHeader ?? clientPrincipalHeader(for: caller))
        headers.add("X-MS-CLIENT-PRINCIPAL-ID", caller.objectID)
        headers.add("X-MS-CLIENT-PRINCIPAL-NAME", caller.username ?? caller.name ?? caller.objectID)
        headers.add("X-MS-CLIENT-PRINCIPAL-IDP", configuration.providerName)
        if configuration.forwardTokens {
            if let accessToken = caller.accessToken { headers.add("X-MS-TOKEN-AAD-ACCESS-TOKEN", accessToken) }
            if let idToken = caller.idToken { headers.add("X-MS-TOKEN-AAD-ID-TOKEN", idToken) }
        }
        let now = clock.now()
        let key = AssertionCache.Key(caller: caller, method: request.method, target: request.target)
        let assertion = try assertions.assertion(for: key, now: now) {
            try assertionSigner.sign(caller, idp: configuration.providerName, method: request.method, target: request.target, now: now)
        }
        headers.add(GatewayAssertionSigner.headerName, assertion)
    }

    /// Encodes the `X-MS-CLIENT-PRINCIPAL` value for `caller`: App Service's
    /// JSON principal with the caller's claims, in standard base64.
    func clientPrincipalHeader(for caller: GatewayCaller) -> String {
        let principal: JSONObject = [
            "auth_typ": .string(configuration.providerName),
            "claims": .array(caller.claims.map { .object(["typ": .string($0.typ), "val": .string($0.val)]) }),
            "name_typ": "name",
            "role_typ": "roles",
        ]
        return JSONValue.object(principal).serialized().base64EncodedString()
    }

    /// The upstream's response fields without hop-by-hop fields, framing
    /// fields (the server sets its own), cookies that would overwrite the
    /// gateway's, and fields that are not valid to send.
    func responseHeaders(_ upstream: HTTPHeaders, requestID: String) -> HTTPHeaders {
        // One pass, without a filtered copy of the upstream fields first.
        let hopByHop = HopByHopFields(in: upstream)
        var kept = HTTPHeaders()
        kept.reserveCapacity(upstream.count)
        for field in upstream {
            let canonical = ForwardingHeaders.canonicalName(field.name)
            if canonical == "content-length" || hopByHop.contains(canonical: canonical) {
                continue
            }
            if canonical == "set-cookie" {
                let name = String(field.value.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces)
                if sessionCookie.owns(cookieName: name) || signInCookie.owns(cookieName: name) { continue }
            }
            guard HTTPHeaders.validate(name: field.name, value: field.value) == .valid else {
                logger.warning("invalid upstream response field dropped", metadata: ["moat.request.id": requestID, "moat.http.header": field.name])
                continue
            }
            kept.add(field.name, field.value)
        }
        return kept
    }

    /// A WebSocket opening handshake (RFC 6455 §4.1): GET with
    /// `Upgrade: websocket` and `Connection: upgrade`.
    static func isWebSocketUpgrade(_ request: HTTPRequest) -> Bool {
        guard request.method == "GET", request.headers["Upgrade"]?.lowercased().contains("websocket") == true else { return false }
        return request.headers.values(for: "Connection").contains { $0.lowercased().contains("upgrade") }
    }
}
