import Foundation
import MoatCore
import MoatAudit
import MoatCrypto
import MoatDevIdP
import MoatIdentity
import Testing

/// `moat up` killed with SIGKILL while requests stream in: every request that
/// got a 200 has its record, and the log verifies after the crash.
@Suite("audit crash", .serialized)
struct AuditCrashTests {
    /// A `moat up` child process on free ports with its own data folder.
    final class RunningMoat: @unchecked Sendable {
        // @unchecked: the fields are set once in `start` before the value is shared.
        var process: ChildProcess?
        let dataFolder: URL
        var apiURL = ""
        var webURL = ""
        var issuer = ""

        init() {
            dataFolder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-crash-\(UUID().uuidString)")
        }

        /// Starts the binary and waits for its banner, which names the URLs.
        func start() throws {
            var environment = ProcessInfo.processInfo.environment
            for name in ["MOAT_IDP_PORT", "MOAT_API_PORT", "MOAT_WEB_PORT"] {
                environment[name] = "0"
            }
            // A short interval so that checkpoints are written while the requests stream in.
            environment["MOAT_AUDIT_CHECKPOINT_INTERVAL"] = "1"
            environment["MOAT_AUDIT_CHECKPOINT_EVERY"] = "50"
            let child = try ChildProcess(
                executable: CommandLineTests.binary.path, arguments: ["up", "--data", dataFolder.path],
                environment: environment, output: .capture, error: .discard
            )
            process = child
            guard let output = child.standardOutput else { throw TestFailure("moat up has no captured output") }
            var banner = ""
            let deadline = Date().addingTimeInterval(60)
            while !banner.contains("Press Ctrl+C"), Date() < deadline {
                let chunk = output.availableData
                guard !chunk.isEmpty else { break }
                banner += String(decoding: chunk, as: UTF8.self)
            }
            func value(after label: String) -> String? {
                banner.components(separatedBy: "\n").first { $0.contains(label) }?
                    .components(separatedBy: label).last?.trimmingCharacters(in: .whitespaces)
            }
            guard let api = value(after: "API:"), let web = value(after: "Chat (web):"), let idp = value(after: "Dev IdP:") else {
                throw TestFailure("moat up printed no banner: \(banner)")
            }
            apiURL = api.replacingOccurrences(of: "/v1/chat", with: "")
            webURL = String(web.dropLast(web.hasSuffix("/") ? 1 : 0))
            issuer = idp.replacingOccurrences(of: "/.well-known/openid-configuration", with: "")
        }

        func kill() {
            process?.send(SIGKILL)
            process?.wait()
        }

        deinit {
            kill()
            try? FileManager.default.removeItem(at: dataFolder)
        }
    }

    /// Gets alice's access token with the authorization code flow, as the web tier would.
    static func token(_ moat: RunningMoat, agent: UserAgent) async throws -> String {
        let directoryFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/MoatLauncher/Demo/directory.toml").standardizedFileURL
        let directory = try Directory.load(contentsOf: directoryFile)
        guard let web = directory.app(named: "moat-web"), let secret = web.clientSecret else {
            throw TestFailure("the demo directory has no moat-web app with a secret")
        }
        let redirect = moat.webURL + "/auth/callback"
        let pkce = PKCE()
        let base = moat.issuer.replacingOccurrences(of: "/v2.0", with: "")
        let query = FormEncoding.encode([
            ("client_id", web.clientID), ("response_type", "code"), ("redirect_uri", redirect),
            ("scope", "openid profile api://moat-api/Chat"), ("state", "s1"), ("nonce", "n1"),
            ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
        ])
        let page = try await agent.send("GET", base + "/oauth2/v2.0/authorize?" + query)
        guard let transaction = hiddenField("transaction", in: page.text), let csrf = hiddenField("csrf_token", in: page.text) else {
            throw TestFailure("IdP login page returned \(page.status)")
        }
        let submitted = try await agent.form(base + "/oauth2/v2.0/authorize", [
            ("transaction", transaction), ("csrf_token", csrf), ("username", "alice"), ("password", "moat-demo"),
        ])
        guard let location = submitted.location, let code = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "code" })?.value else {
            throw TestFailure("IdP login returned \(submitted.status) without a code")
        }
        let credentials = Data("\(web.clientID):\(secret)".utf8).base64EncodedString()
        let reply = try await agent.form(
            base + "/oauth2/v2.0/token",
            [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", pkce.verifier)],
            headers: [("Authorization", "Basic \(credentials)")]
        )
        guard reply.status == 200 else { throw TestFailure("token endpoint returned \(reply.status): \(reply.text)") }
        return try JSONDecoder().decode(TokenResponse.self, from: reply.body).accessToken
    }

    @Test("every answered request survives SIGKILL and the log verifies")
    func killedWhileRequestsStream() async throws {
        let moat = RunningMoat()
        try moat.start()
        let token = try await Self.token(moat, agent: UserAgent())
        let answered = LockedStrings()
        let stop = LockedFlag()

        let clients = (0..<8).map { client in
            Task {
                let agent = UserAgent()
                var number = 0
                while !stop.isSet {
                    number += 1
                    let path = client % 2 == 0 ? "/v1/me" : "/v1/chat"
                    let reply = try? await agent.send(
                        path == "/v1/me" ? "GET" : "POST", moat.apiURL + path,
                        headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                        body: path == "/v1/me" ? nil : Data("{\"question\":\"annual leave \(client)-\(number)\"}".utf8)
                    )
                    if let reply, reply.status == 200, let id = reply.headers["X-Request-Id"] {
                        answered.append(id)
                    }
                }
            }
        }
        // Kill once enough requests were answered to span two checkpoints,
        // however loaded the machine is; the deadline only ends a stuck run.
        let deadline = ContinuousClock.now + .seconds(60)
        while answered.values.count <= 60, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        moat.kill()
        stop.set()
        for client in clients { await client.value }

        let database = moat.dataFolder.appendingPathComponent("audit.sqlite").path
        let recorded = Set(try AuditReader(path: database).records(matching: AuditQuery(), limit: 500).map(\.sequence))
        var requestIDs = Set<String>()
        try AuditReader(path: database).forEachRecord(matching: AuditQuery()) { record in
            if let id = record.json?["request_id"]?.stringValue { requestIDs.insert(id) }
        }
        let missing = answered.values.filter { !requestIDs.contains($0) }
        let key = try AuditSigningKey.load(at: moat.dataFolder.appendingPathComponent("audit-signing-key.pem").path)
        let anchor = try AuditAnchor.load(path: moat.dataFolder.appendingPathComponent("audit-anchors.jsonl").path)
        let verification = try AuditVerifier.verify(
            path: database, options: AuditVerifyOptions(trustedKeys: [key.publicKey], anchor: anchor.checkpoints)
        )

        #expect(answered.values.count > 50)
        #expect(!recorded.isEmpty)
        #expect(missing == [])
        #expect(verification.problems == [])
        #expect(verification.checkpointCount >= 2)
    }
}

/// Strings appended from several tasks.
final class LockedStrings: @unchecked Sendable {
    // @unchecked: `strings` is only touched while `lock` is held.
    private let lock = NSLock()
    private var strings: [String] = []

    func append(_ value: String) {
        lock.withLock { strings.append(value) }
    }

    var values: [String] { lock.withLock { strings } }
}

/// A flag set once, read from several tasks.
final class LockedFlag: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.withLock { value = true }
    }

    var isSet: Bool { lock.withLock { value } }
}
