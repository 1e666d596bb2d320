import Foundation
import MoatHTTP
import MoatJSON

/// A safety model behind an OpenAI-compatible chat-completions endpoint,
/// such as Llama Guard served by vLLM or Ollama.
///
/// The text is sent as the single user message (Llama Guard's chat
/// template wraps it in its own safety prompt). The first line of the
/// reply decides. `unsafe` yields an `external.judge-unsafe` verdict whose
/// reason lists the hazard categories of the second line (for example
/// `S1,S10`), `safe` yields nothing, and anything else is an
/// `invalid_response` error.
public struct SafetyJudgeClassifier: ExternalClassifier {
    /// The full chat-completions URL, for example `http://127.0.0.1:8000/v1/chat/completions`.
    public var endpoint: URL
    public var model: String
    private let apiKey: String?
    /// Per-request timeout in seconds. Default 10 s.
    public var timeout: TimeInterval
    private let client: HTTPClient

    public init(endpoint: URL, model: String, apiKey: String? = nil, timeout: TimeInterval = 10, client: HTTPClient = HTTPClient()) {
        self.endpoint = endpoint
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
        self.client = client
    }

    public func classify(_ text: String) async throws -> [GuardVerdict] {
        let body: JSONValue = [
            "model": .string(model),
            "messages": [["role": "user", "content": .string(text)]],
            "temperature": 0,
            "max_tokens": 20,
        ]
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        if let apiKey { headers.add("Authorization", "Bearer \(apiKey)") }
        let request = HTTPClientRequest(method: "POST", url: endpoint, headers: headers, body: body.serialized(), timeout: timeout)
        let response = try await SafetyHTTP.send(request, client: client, operation: "chat completion")
        guard let content = response["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else {
            throw ExternalClassifierError(code: "invalid_response", reason: "safety judge at \(endpoint.host ?? "?") returned no choices[0].message.content; check that the endpoint is a chat-completions URL")
        }
        let lines = content.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        switch lines.first?.lowercased() {
        case "safe":
            return []
        case "unsafe":
            let categories = lines.count > 1 ? lines[1].filter { $0.isLetter || $0.isNumber || $0 == "," } : "unspecified"
            return [GuardVerdict(ruleID: GuardRuleID.externalJudgeUnsafe, action: .flag, score: 1, span: nil,
                                 reason: "\(GuardRuleID.externalJudgeUnsafe): safety judge categories \(categories)")]
        default:
            throw ExternalClassifierError(code: "invalid_response", reason: "safety judge at \(endpoint.host ?? "?") returned neither safe nor unsafe; check that the model is a safety classifier such as Llama Guard")
        }
    }
}
