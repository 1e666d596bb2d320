import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatSQLite
import Testing

@testable import MoatGateway

@Suite("Revoked sessions")
struct RevokedSessionsTests {
    private let start: Int64 = 1_800_000_000

    /// Creates a folder for one test's sign-out file; the caller removes it.
    private func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-signouts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("sign-out in memory lasts until its expiry")
    func memoryOnly() throws {
        let revoked = try RevokedSessions(file: nil, now: start, logger: .disabled)
        #expect(!revoked.isRevoked("session-1", now: start))
        revoked.revoke("session-1", until: start + 100, now: start)
        #expect(revoked.isRevoked("session-1", now: start + 99))
        #expect(!revoked.isRevoked("session-1", now: start + 100))
        #expect(!revoked.isRevoked("session-2", now: start))
    }

    @Test("sign-out survives a restart")
    func survivesRestart() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("signouts.sqlite").path
        do {
            let first = try RevokedSessions(file: file, now: start, logger: .disabled)
            first.revoke("session-1", until: start + 100, now: start)
        }
        let restarted = try RevokedSessions(file: file, now: start + 10, logger: .disabled)
        #expect(restarted.isRevoked("session-1", now: start + 10))
        #expect(!restarted.isRevoked("session-2", now: start + 10))
    }

    @Test("processes sharing the file see each other's sign-outs")
    func sharedFile() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("signouts.sqlite").path
        let first = try RevokedSessions(file: file, now: start, logger: .disabled)
        let second = try RevokedSessions(file: file, now: start, logger: .disabled)
        #expect(!second.isRevoked("session-1", now: start))

        first.revoke("session-1", until: start + 100, now: start + 1)
        second.revoke("session-2", until: start + 100, now: start + 1)
        let later = start + RevokedSessions.refreshInterval
        #expect(second.isRevoked("session-1", now: later))
        #expect(first.isRevoked("session-2", now: later))
    }

    @Test("expired sign-outs leave the file")
    func expiredRowsDeleted() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("signouts.sqlite").path
        do {
            let revoked = try RevokedSessions(file: file, now: start, logger: .disabled)
            revoked.revoke("session-1", until: start + 10, now: start)
            revoked.revoke("session-2", until: start + 100, now: start)
        }
        let reopened = try RevokedSessions(file: file, now: start + 20, logger: .disabled)
        #expect(!reopened.isRevoked("session-1", now: start + 20))
        #expect(reopened.isRevoked("session-2", now: start + 20))
        let rows = try SQLiteDatabase(path: file).query("SELECT expires_at FROM revoked_session")
        #expect(rows.map { $0.int64("expires_at") } == [start + 100])
    }

    @Test("file stores hashes, not session ids")
    func fileHoldsNoSessionID() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("signouts.sqlite").path
        let sessionID = "a-session-id-that-must-not-be-stored"
        do {
            let revoked = try RevokedSessions(file: file, now: start, logger: .disabled)
            revoked.revoke(sessionID, until: start + 100, now: start)
        }
        // The database and its write-ahead log, in case the row is not checkpointed yet.
        for path in [file, file + "-wal"] where FileManager.default.fileExists(atPath: path) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.range(of: Data(sessionID.utf8)) == nil, "\(path)")
        }
        let rows = try SQLiteDatabase(path: file).query("SELECT session_hash FROM revoked_session")
        #expect(rows.first?.data("session_hash") == Digest.sha256(Data(sessionID.utf8)))
    }

    @Test("file that is not a database stops the gateway")
    func notADatabase() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("signouts.sqlite")
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: file)
        let error = #expect(throws: GatewayError.self) {
            try RevokedSessions(file: file.path, now: start, logger: .disabled)
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.reason.contains(file.path) == true)
        #expect(error?.reason.contains("move the damaged file away") == true)
    }

    @Test("gateway sign-out holds for a restarted gateway")
    func gatewayRestart() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualClock(Date(timeIntervalSince1970: TimeInterval(start)))
        let cookieKey = SecureRandom.bytes(count: 32)
        let assertionKey = try PrivateKey.generateEC(curve: .p256)
        func makeGateway() throws -> Gateway {
            let configuration = GatewayConfiguration(
                publicBaseURL: "http://127.0.0.1:8080", upstream: try #require(URL(string: "http://127.0.0.1:9")),
                signIn: nil, bearerPolicy: nil, cookieKey: cookieKey,
                revocationFile: folder.appendingPathComponent("gateway-signouts.sqlite").path
            )
            return try Gateway(configuration: configuration, keys: nil, assertionKey: assertionKey, clock: clock)
        }
        let session = GatewaySession(
            id: "session-1", tenantID: "tenant", objectID: "alice-oid", name: "Alice", username: "alice@example.test",
            roles: ["Reader"], groups: [], claims: [], idToken: nil, accessToken: nil, accessTokenExpiresAt: start + 3600,
            refreshToken: nil, createdAt: start, lastSeen: start
        )
        let first = try makeGateway()
        let cookies = try first.sessionCookies(for: session, replacing: HTTPRequest(method: "GET", target: "/"))
        let header = cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
        let request = HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders([("Cookie", header)]))
        #expect(first.currentSessionAndCaller(request) != nil)

        first.revoke(session)
        let restarted = try makeGateway()
        #expect(restarted.currentSessionAndCaller(request) == nil)
    }
}
