/// Routes requests to handlers by method and path pattern.
///
/// A pattern is a path whose segments are literals or `:name` parameters,
/// for example `/v1/documents/:id`. Segments match exactly (no prefix or
/// wildcard matching), and a literal segment wins over a parameter at the
/// same position, so `/v1/documents/search` takes precedence over
/// `/v1/documents/:id`. A `GET` route also handles `HEAD`.
///
/// A path no route matches gets a 404 problem. A path some route matches
/// with another method gets a 405 problem with an `Allow` field.
public struct Router: HTTPResponder {
    private struct Route: Sendable {
        var method: String
        var segments: [Segment]
        var handler: HTTPHandler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private var routes: [Route] = []

    public init() {}

    /// Registers `handler` for `method` (case-sensitive, RFC 9110 §9.1) and `pattern`.
    ///
    /// - Precondition: `pattern` starts with `/` and is not already registered for `method`.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        precondition(pattern.hasPrefix("/"), "route pattern \(pattern.debugDescription) must start with \"/\"")
        let segments = Self.split(pattern).map { segment in
            segment.hasPrefix(":") ? Segment.parameter(String(segment.dropFirst())) : .literal(segment)
        }
        precondition(
            !routes.contains { $0.method == method && $0.segments == segments },
            "route \(method) \(pattern) is registered twice"
        )
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    /// Registers a `GET` route, which also handles `HEAD`.
    public mutating func get(_ pattern: String, _ handler: @escaping HTTPHandler) {
        add("GET", pattern, handler)
    }

    public mutating func post(_ pattern: String, _ handler: @escaping HTTPHandler) {
        add("POST", pattern, handler)
    }

    public mutating func put(_ pattern: String, _ handler: @escaping HTTPHandler) {
        add("PUT", pattern, handler)
    }

    public mutating func patch(_ pattern: String, _ handler: @escaping HTTPHandler) {
        add("PATCH", pattern, handler)
    }

    public mutating func delete(_ pattern: String, _ handler: @escaping HTTPHandler) {
        add("DELETE", pattern, handler)
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let pathSegments = Self.split(request.path)
        let matches = routes.compactMap { route in
            Self.match(route.segments, pathSegments).map { (route: route, parameters: $0) }
        }
        guard !matches.isEmpty else {
            return ProblemDetails.notFound("no route for this path").response(requestID: request.requestID)
        }

        let method = request.method == "HEAD" ? ["HEAD", "GET"] : [request.method]
        let candidates = matches.filter { method.contains($0.route.method) }
        guard let best = candidates.max(by: { Self.specificity($0.route) < Self.specificity($1.route) }) else {
            return methodNotAllowed(request, allowed: matches.map(\.route.method))
        }

        var routed = request
        routed.pathParameters = best.parameters
        return await HTTPResponse.catching(routed, best.route.handler)
    }

    private func methodNotAllowed(_ request: HTTPRequest, allowed: [String]) -> HTTPResponse {
        var methods = allowed
        if methods.contains("GET") {
            methods.append("HEAD")
        }
        let allow = Set(methods).sorted().joined(separator: ", ")
        var response = ProblemDetails.methodNotAllowed("method \(request.method) is not allowed on this path")
            .response(requestID: request.requestID)
        response.headers.set("Allow", allow)
        return response
    }

    /// Splits a path on `/`, keeping empty segments so `/a/` and `/a` differ.
    private static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }

    /// Returns the parameter values when `pattern` matches `path`, else nil.
    private static func match(_ pattern: [Segment], _ path: [String]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(pattern, path) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                // A parameter stands for one non-empty segment.
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }

    /// Literal segments ranked earlier count more, so the route that keeps
    /// matching literally for longer wins.
    private static func specificity(_ route: Route) -> Int {
        route.segments.enumerated().reduce(0) { total, item in
            guard case .literal = item.element else { return total }
            return total + 1 << (32 - min(item.offset, 31))
        }
    }
}
