import Foundation
import MoatHTTP
import MoatJSON

/// Azure AI Content Safety: Prompt Shields (`text:shieldPrompt`) and text
/// analysis (`text:analyze`), REST API version 2024-09-01.
///
/// Requests carry the key in `Ocp-Apim-Subscription-Key`. Prompt Shields
/// reports `external.prompt-attack`, or `external.document-attack` when
/// ``Mode/document`` sends the text as a document. Text analysis reports
/// `external.harm.<category>` for each category whose severity (0, 2, 4
/// or 6) reaches ``severityThreshold``, scored severity / 6.
public struct AzureContentSafetyClassifier: ExternalClassifier {
    public enum Mode: Sendable {
        /// The text is a user prompt (Prompt Shields `userPrompt`).
        case userPrompt
        /// The text is a retrieved document (Prompt Shields `documents`).
        case document
    }

    /// The resource endpoint, for example `https://contoso.cognitiveservices.azure.com`.
    public var endpoint: URL
    private let key: String
    public var mode: Mode
    /// Run Prompt Shields. Default true.
    public var shieldsPrompts: Bool
    /// Run text analysis for harm categories. Default true.
    public var analyzesHarm: Bool
    /// Lowest severity reported. Default 4 (medium).
    public var severityThreshold: Int
    /// Per-request timeout in seconds. Default 5 s.
    public var timeout: TimeInterval
    private let client: HTTPClient

    public static let apiVersion = "2024-09-01"

    public init(
        endpoint: URL, key: String, mode: Mode = .userPrompt, shieldsPrompts: Bool = true, analyzesHarm: Bool = true,
        severityThreshold: Int = 4, timeout: TimeInterval = 5, client: HTTPClient = HTTPClient()
    ) {
        self.endpoint = endpoint
        self.key = key
        self.mode = mode
        self.shieldsPrompts = shieldsPrompts
        self.analyzesHarm = analyzesHarm
        self.severityThreshold = severityThreshold
        self.timeout = timeout
        self.client = client
    }

    public func classify(_ text: String) async throws -> [GuardVerdict] {
        var verdicts: [GuardVerdict] = []
        if shieldsPrompts {
            let body: JSONValue = mode == .userPrompt
                ? ["userPrompt": .string(text), "documents": []]
                : ["userPrompt": "", "documents": [.string(text)]]
            let response = try await post("text:shieldPrompt", body)
            let analysis = mode == .userPrompt ? response["userPromptAnalysis"] : response["documentsAnalysis"]?.arrayValue?.first
            guard let detected = analysis?["attackDetected"]?.boolValue else {
                throw ExternalClassifierError(code: "invalid_response", reason: "Prompt Shields answer from \(endpoint.host ?? "?") has no attackDetected; check the endpoint and api-version")
            }
            if detected {
                let rule = mode == .userPrompt ? GuardRuleID.externalPromptAttack : GuardRuleID.externalDocumentAttack
                verdicts.append(GuardVerdict(ruleID: rule, action: .flag, score: 1, span: nil, reason: "\(rule): Azure Prompt Shields detected an attack"))
            }
        }
        if analyzesHarm {
            let body: JSONValue = ["text": .string(text), "categories": ["Hate", "Sexual", "SelfHarm", "Violence"], "outputType": "FourSeverityLevels"]
            let response = try await post("text:analyze", body)
            guard let categories = response["categoriesAnalysis"]?.arrayValue else {
                throw ExternalClassifierError(code: "invalid_response", reason: "text analysis answer from \(endpoint.host ?? "?") has no categoriesAnalysis; check the endpoint and api-version")
            }
            for entry in categories {
                guard let category = entry["category"]?.stringValue, let severity = entry["severity"]?.int64Value else { continue }
                guard severity >= severityThreshold else { continue }
                let rule = GuardRuleID.externalHarm(category.lowercased())
                verdicts.append(GuardVerdict(ruleID: rule, action: .flag, score: min(1, Double(severity) / 6), span: nil,
                                             reason: "\(rule): Azure text analysis severity \(severity)"))
            }
        }
        return verdicts
    }

    private func post(_ operation: String, _ body: JSONValue) async throws -> JSONValue {
        var components = URLComponents(url: endpoint.appendingPathComponent("contentsafety/\(operation)"), resolvingAgainstBaseURL: false)
        components?.queryItems = [URLQueryItem(name: "api-version", value: Self.apiVersion)]
        guard let url = components?.url else {
            throw ExternalClassifierError(code: "request_failed", reason: "cannot build the \(operation) URL from \(endpoint)")
        }
        let request = HTTPClientRequest(
            method: "POST", url: url,
            headers: HTTPHeaders([("Content-Type", "application/json"), ("Ocp-Apim-Subscription-Key", key)]),
            body: body.serialized(), timeout: timeout
        )
        return try await SafetyHTTP.send(request, client: client, operation: operation)
    }
}

/// Sends a JSON request and parses a JSON answer for the external classifiers.
enum SafetyHTTP {
    static func send(_ request: HTTPClientRequest, client: HTTPClient, operation: String) async throws -> JSONValue {
        let host = request.url.host ?? "?"
        let response: HTTPClientResponse
        do {
            response = try await client.send(request)
        } catch {
            throw ExternalClassifierError(code: "request_failed", reason: "\(operation) at \(host) failed: \(error.code)")
        }
        guard response.status == 200 else {
            throw ExternalClassifierError(code: "unexpected_status", reason: "\(operation) at \(host) answered HTTP \(response.status)")
        }
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw ExternalClassifierError(code: "invalid_response", reason: "\(operation) at \(host) answered invalid JSON: \(error.code)")
        }
    }
}
