import Foundation
import MoatDevIdP
import MoatHTTP
import MoatJSON
import Testing

/// Refresh tokens kept in a file: a provider started again on the same file
/// redeems the tokens the first one issued and remembers rotations and
/// revoked families.
@Suite("Refresh grant file")
struct RefreshGrantFileTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("moat-refresh-\(UUID().uuidString).sqlite").path

    /// Starts a provider on the file at `path`, as `moat idp` does on its data folder.
    private func start() throws -> IdentityProviderHarness {
        try IdentityProviderHarness(
            directory: TestDirectory.directory.get(), signer: TestDirectory.signer.get(), refreshGrants: RefreshGrantFile(path: path)
        )
    }

    private func removeFiles() {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Refreshes `token` at `harness`; returns the new refresh token, or nil when the grant failed.
    private func rotate(_ token: String, at harness: IdentityProviderHarness) async throws -> String? {
        let response = await harness.refresh(token, client: try harness.app("moat-web"))
        guard response.status == 200 else { return nil }
        return try response.jsonObject()["refresh_token"]?.stringValue
    }

    @Test("refresh token survives a restart")
    func tokenSurvivesRestart() async throws {
        defer { removeFiles() }
        let first = try start()
        let tokens = try await first.signInTokens(client: try first.app("moat-web"), user: "alice")
        let token = try #require(tokens["refresh_token"]?.stringValue)

        let restarted = try start()
        let rotated = try await rotate(token, at: restarted)

        #expect(rotated != nil)
    }

    @Test("reuse after a restart revokes the family for good")
    func reuseAfterRestartRevokes() async throws {
        defer { removeFiles() }
        let first = try start()
        let tokens = try await first.signInTokens(client: try first.app("moat-web"), user: "alice")
        let original = try #require(tokens["refresh_token"]?.stringValue)
        let newest = try #require(try await rotate(original, at: first))

        let restarted = try start()
        let reuse = await restarted.refresh(original, client: try restarted.app("moat-web"))
        let again = try start()
        let newestAfterRevocation = await again.refresh(newest, client: try again.app("moat-web"))

        #expect(reuse.status == 400)
        #expect(reuse.oauthError == "invalid_grant")
        // The revocation was stored, so a third start still refuses the family's newest token.
        #expect(newestAfterRevocation.status == 400)
        #expect(newestAfterRevocation.oauthError == "invalid_grant")
    }

    @Test("file holds digests only, readable by the owner")
    func fileHoldsNoToken() async throws {
        defer { removeFiles() }
        let harness = try start()
        let tokens = try await harness.signInTokens(client: try harness.app("moat-web"), user: "alice")
        let token = try #require(tokens["refresh_token"]?.stringValue)
        _ = try await rotate(token, at: harness)

        var stored = Data()
        for suffix in ["", "-wal"] {
            stored.append(FileManager.default.contents(atPath: path + suffix) ?? Data())
        }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int

        #expect(!stored.isEmpty)
        #expect(stored.range(of: Data(token.utf8)) == nil)
        #expect(mode == 0o600)
    }

    @Test("file that is not a database is rejected")
    func corruptFileRejected() throws {
        defer { removeFiles() }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))

        #expect(throws: (any Error).self) { try RefreshGrantFile(path: path) }
        // The file is left as it was, for the operator to inspect or delete.
        #expect(FileManager.default.contents(atPath: path) == Data(repeating: 0x41, count: 4096))
    }
}
