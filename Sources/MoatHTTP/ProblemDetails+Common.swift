extension ProblemDetails {
    /// 400 Bad Request.
    public static func badRequest(code: String = "bad_request", _ detail: String) -> ProblemDetails {
        ProblemDetails(status: 400, code: code, title: "Bad Request", detail: detail)
    }

    /// 401 Unauthorized. Add a `WWW-Authenticate` field to the response
    /// where RFC 9110 §15.5.2 requires one.
    public static func unauthorized(code: String = "unauthorized", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 401, code: code, title: "Unauthorized", detail: detail)
    }

    /// 403 Forbidden.
    public static func forbidden(code: String = "forbidden", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 403, code: code, title: "Forbidden", detail: detail)
    }

    /// 404 Not Found.
    public static func notFound(code: String = "not_found", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 404, code: code, title: "Not Found", detail: detail)
    }

    /// 405 Method Not Allowed; the router adds the `Allow` field.
    public static func methodNotAllowed(code: String = "method_not_allowed", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 405, code: code, title: "Method Not Allowed", detail: detail)
    }

    /// 409 Conflict.
    public static func conflict(code: String = "conflict", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 409, code: code, title: "Conflict", detail: detail)
    }

    /// 413 Content Too Large.
    public static func payloadTooLarge(code: String = "payload_too_large", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 413, code: code, title: "Content Too Large", detail: detail)
    }

    /// 415 Unsupported Media Type.
    public static func unsupportedMediaType(code: String = "unsupported_media_type", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 415, code: code, title: "Unsupported Media Type", detail: detail)
    }

    /// 429 Too Many Requests.
    public static func tooManyRequests(code: String = "too_many_requests", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 429, code: code, title: "Too Many Requests", detail: detail)
    }

    /// 500 Internal Server Error. The default detail is deliberately vague:
    /// the cause goes to the log, not to the client.
    public static func internalError(code: String = "internal_error", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 500, code: code, title: "Internal Server Error", detail: detail)
    }

    /// 502 Bad Gateway, for a failed upstream call.
    public static func badGateway(code: String = "bad_gateway", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 502, code: code, title: "Bad Gateway", detail: detail)
    }

    /// 503 Service Unavailable.
    public static func serviceUnavailable(code: String = "service_unavailable", _ detail: String? = nil) -> ProblemDetails {
        ProblemDetails(status: 503, code: code, title: "Service Unavailable", detail: detail)
    }
}
