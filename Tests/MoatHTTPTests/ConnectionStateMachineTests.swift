import Foundation
import Testing

@testable import MoatHTTP

@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    private typealias Machine = ConnectionStateMachine

    /// Returns a short name for `action`, so sequences compare as plain strings.
    private static func name(_ action: Machine.Action) -> String {
        switch action {
        case .continueReading: "continueReading"
        case .queue(.response(let response)): "queue(\(response.status))"
        case .queue(.problem(let problem)): "queue(\(problem.status) \(problem.code))"
        case .suspendAndRunHandler: "suspendAndRunHandler"
        case .resumeConnection: "resumeConnection"
        case .closeConnection(let reason): "closeConnection(\(reason.rawValue))"
        case .logCompleted: "logCompleted"
        case .logAborted: "logAborted"
        case .none: "none"
        }
    }

    private static func run(_ events: [Machine.Event], maxBodyBytes: Int = 10) -> [String] {
        var machine = Machine(maxBodyBytes: maxBodyBytes)
        return events.map { name(machine.receive($0)) }
    }

    @Test("request runs its handler and queues the response after resume")
    func normalRequest() {
        let actions = Self.run([
            .headReceived(contentLength: 4, rejection: nil),
            .bodyReceived(byteCount: 4),
            .requestComplete(acceptingWork: true),
            .handlerFinished(HTTPResponse(status: 201)),
            .requestComplete(acceptingWork: true),
            .connectionCompleted,
        ])
        #expect(actions == ["continueReading", "continueReading", "suspendAndRunHandler", "resumeConnection", "queue(201)", "logCompleted"])
    }

    @Test("rejected head is answered at once")
    func rejectedHead() {
        let actions = Self.run([
            .headReceived(contentLength: nil, rejection: .badRequest(code: "invalid_target", "bad")),
            .connectionCompleted,
        ])
        #expect(actions == ["queue(400 invalid_target)", "logCompleted"])
    }

    @Test("announced length over the limit gets 413 before the body")
    func announcedTooLarge() {
        let actions = Self.run([.headReceived(contentLength: 11, rejection: nil), .connectionCompleted])
        #expect(actions == ["queue(413 payload_too_large)", "logCompleted"])
    }

    @Test("announced length at the limit is read")
    func announcedAtLimit() {
        let actions = Self.run([.headReceived(contentLength: 10, rejection: nil), .bodyReceived(byteCount: 10)])
        #expect(actions == ["continueReading", "continueReading"])
    }

    @Test("body growing past the limit closes the connection")
    func chunkedTooLarge() {
        let actions = Self.run([
            .headReceived(contentLength: nil, rejection: nil),
            .bodyReceived(byteCount: 6),
            .bodyReceived(byteCount: 5),
            .connectionCompleted,
        ])
        #expect(actions == ["continueReading", "continueReading", "closeConnection(body_too_large)", "logAborted"])
    }

    @Test("complete request while draining gets 503")
    func drainingRejectsNewWork() {
        let actions = Self.run([
            .headReceived(contentLength: nil, rejection: nil),
            .requestComplete(acceptingWork: false),
        ])
        #expect(actions == ["continueReading", "queue(503 shutting_down)"])
    }

    @Test("shutdown deadline answers a running handler with 503")
    func shutdownDeadline() {
        let actions = Self.run([
            .headReceived(contentLength: nil, rejection: nil),
            .requestComplete(acceptingWork: true),
            .shutdownDeadlinePassed,
            .requestComplete(acceptingWork: false),
            .handlerFinished(HTTPResponse(status: 200)),
            .connectionCompleted,
        ])
        #expect(actions == [
            "continueReading", "suspendAndRunHandler", "resumeConnection", "queue(503 shutting_down)", "none", "logCompleted",
        ])
    }

    @Test("shutdown deadline ignores a finished handler")
    func shutdownAfterFinish() {
        let actions = Self.run([
            .headReceived(contentLength: nil, rejection: nil),
            .requestComplete(acceptingWork: true),
            .handlerFinished(HTTPResponse(status: 200)),
            .shutdownDeadlinePassed,
        ])
        #expect(actions == ["continueReading", "suspendAndRunHandler", "resumeConnection", "none"])
    }

    @Test("dropped response closes the connection")
    func droppedResponse() {
        let actions = Self.run([
            .headReceived(contentLength: nil, rejection: nil),
            .requestComplete(acceptingWork: true),
            .handlerFinished(HTTPResponse(status: 200)),
            .requestComplete(acceptingWork: false),
            .requestComplete(acceptingWork: false),
            .connectionCompleted,
        ])
        #expect(actions == [
            "continueReading", "suspendAndRunHandler", "resumeConnection", "queue(200)", "closeConnection(response_dropped)", "logAborted",
        ])
    }

    @Test("client leaving mid-body logs an abort")
    func clientAbort() {
        let actions = Self.run([.headReceived(contentLength: 8, rejection: nil), .bodyReceived(byteCount: 3), .connectionCompleted])
        #expect(actions == ["continueReading", "continueReading", "logAborted"])
    }

    @Test("handler result after completion is dropped")
    func resultAfterCompletion() {
        let actions = Self.run([
            .headReceived(contentLength: nil, rejection: nil),
            .requestComplete(acceptingWork: true),
            .connectionCompleted,
            .handlerFinished(HTTPResponse(status: 200)),
        ])
        #expect(actions == ["continueReading", "suspendAndRunHandler", "logAborted", "none"])
    }

    @Test("in-flight covers handler start to completion")
    func inFlight() {
        var machine = Machine(maxBodyBytes: 10)
        _ = machine.receive(.headReceived(contentLength: nil, rejection: nil))
        #expect(!machine.isInFlight)
        _ = machine.receive(.requestComplete(acceptingWork: true))
        #expect(machine.isInFlight)
        _ = machine.receive(.handlerFinished(HTTPResponse()))
        #expect(machine.isInFlight)
        _ = machine.receive(.requestComplete(acceptingWork: true))
        #expect(machine.isInFlight)
        _ = machine.receive(.connectionCompleted)
        #expect(!machine.isInFlight)
    }
}
