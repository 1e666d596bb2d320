import Foundation
import MoatHTTP

extension Gateway {
    /// Handles a request without a body on the server's event loop.
    ///
    /// The request is authenticated from the caches alone (session cookie, or
    /// a bearer token already in the verified-token cache), checked, and
    /// forwarded by the loop (see ``HTTPLoopDecision/forward(_:complete:)``). `/.auth/*`, WebSocket
    /// upgrades and a bearer token that needs the issuer's keys return
    /// ``HTTPLoopDecision/runBlocking`` and take ``respondBlocking(to:body:)``
    /// on another thread.
    public func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        if request.path == "/.auth" || request.path.hasPrefix("/.auth/") || Self.isWebSocketUpgrade(request) {
            return .runBlocking
        }
        guard let authentication = authenticateImmediately(request) else {
            return .runBlocking
        }
        switch accessDecision(request, authentication: authentication) {
        case .reply(let response):
            return .respond(response)
        case .forward(let caller, let cookies):
            switch prepareUpstreamRequest(request, caller: caller) {
            case .failure(let reply):
                return .respond(reply.response)
            case .success(let upstreamRequest):
                return .forward(upstreamRequest) { [self] result in
                    switch result {
                    case .success(let upstream):
                        clientResponse(for: upstream, request: request, cookies: cookies)
                    case .failure(let error):
                        upstreamFailure(request, error)
                    }
                }
            }
        }
    }
}
