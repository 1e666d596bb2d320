import Foundation

extension ServerCore {
    /// Carries out an ``HTTPLoopResponder``'s decision for a request without a
    /// body, on the loop thread that read its head.
    func respondOnLoop(_ responder: any HTTPLoopResponder, to request: HTTPRequest, body: HTTPRequestBody, context: ConnectionContext, loop: EventLoop) {
        switch responder.respondOnLoop(to: request) {
        case .respond(let response):
            streamingHandlerFinished(context, response)
        case .forward(let upstreamRequest, let complete):
            let onHead: (Result<StreamingClientResponse, HTTPClientError>) -> Void = { result in
                self.streamingHandlerFinished(context, complete(result))
            }
            loop.forward(upstreamRequest, requestID: request.requestID, onHead: onHead)
        case .runBlocking:
            let streamingResponder = responder as any HTTPStreamingResponder
            context.withLock { context in
                context.handlerTask = Task(executorPreference: HandlerExecutor.shared) {
                    let response = await streamingResponder.respond(to: request, body: body)
                    self.streamingHandlerFinished(context, response)
                }
            }
        }
    }
}
