import Foundation
import MoatConfig
import MoatCore
import MoatHTTP
import MoatLauncher
import MoatTestSupport

/// A running pattern-3 stack on free loopback ports with its own data folder.
struct TestStack {
    let stack: MoatStack
    let dataFolder: URL
    let logs: InMemoryLogHandler

    static func start(
        corpus: (folder: String, manifest: String)? = nil, configure: (inout MoatConfiguration) -> Void = { _ in }
    ) async throws -> TestStack {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-e2e-\(UUID().uuidString)")
        var configuration = MoatConfiguration()
        configuration.dataDirectory = folder.path
        configuration.idp.port = 0
        configuration.api.port = 0
        configuration.web.port = 0
        if let corpus {
            configuration.corpus.path = corpus.folder
            configuration.corpus.manifest = corpus.manifest
        }
        configure(&configuration)
        let logs = InMemoryLogHandler()
        let stack = try await retrying(while: { ($0 as? HTTPServerError)?.code == .addressInUse }) {
            try await MoatStack.start(configuration, logger: Logger(label: "moat.test", level: .debug, handler: logs))
        }
        return TestStack(stack: stack, dataFolder: folder, logs: logs)
    }

    func stop() async {
        await stack.stop()
        try? FileManager.default.removeItem(at: dataFolder)
    }

    var auditDatabase: String { dataFolder.appendingPathComponent("audit.sqlite").path }
}

/// A minimal cookie-keeping HTTP user agent that never follows redirects, so each hop can be checked.
final class UserAgent: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    private(set) var cookies: [String: String] = [:]
    let client = HTTPClient()

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var location: String? { headers["Location"] }
        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }
    }

    func send(_ method: String, _ url: String, headers extra: [(String, String)] = [], body: Data? = nil) async throws -> Reply {
        guard let target = URL(string: url) else { throw TestFailure("invalid URL \(url)") }
        var headers = HTTPHeaders()
        for (name, value) in extra { headers.add(name, value) }
        if !cookies.isEmpty {
            headers.add("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))
        }
        let response = try await client.send(HTTPClientRequest(method: method, url: target, headers: headers, body: body, timeout: 30, maxResponseBytes: 8 << 20))
        for header in response.headers.values(for: "Set-Cookie") {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: equals)...])
            if value.isEmpty || header.lowercased().contains("max-age=0") {
                cookies[name] = nil
            } else {
                cookies[name] = value
            }
        }
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    func form(_ url: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> Reply {
        let body = fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        return try await send("POST", url, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Data(body.utf8))
    }

    private func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Extracts `value="..."` of the hidden input named `name` from an HTML page.
func hiddenField(_ name: String, in html: String) -> String? {
    guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
    let rest = html[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&")
}

func metaContent(_ name: String, in html: String) -> String? {
    guard let range = html.range(of: "<meta name=\"\(name)\" content=\"") else { return nil }
    let rest = html[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}
