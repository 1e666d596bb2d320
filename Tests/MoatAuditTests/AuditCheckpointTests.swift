import Foundation
import MoatAudit
import MoatCrypto
import MoatJSON
import MoatSQLite
import Testing

@Suite("AuditLog signed checkpoints")
struct AuditCheckpointTests {
    @Test("checkpoint every N records, plus start and stop")
    func checkpointEveryNRecords() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 10, signingKey: try PrivateKey.generateEd25519(), options: storedOptions(every: 4))

        let checkpoints = try storedCheckpoints(SQLiteDatabase(path: path, readOnly: true))

        #expect(checkpoints.map { $0.json["type"]?.stringValue } == ["start", "checkpoint", "checkpoint", "stop"])
        #expect(checkpoints.map { $0.json["from_seq"]?.int64Value } == [1, 1, 5, 9])
        #expect(checkpoints.map { $0.json["to_seq"]?.int64Value } == [0, 4, 8, 10])
        #expect(checkpoints.map { $0.json["records"]?.int64Value } == [0, 4, 4, 2])
        #expect(checkpoints.map(\.number) == [1, 2, 3, 4])
    }

    @Test("checkpoint names the chain hash of its last record")
    func checkpointNamesLastHash() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 4, signingKey: try PrivateKey.generateEd25519(), options: storedOptions(every: 4))
        let database = try SQLiteDatabase(path: path, readOnly: true)

        let checkpoint = try #require(try storedCheckpoints(database).first { $0.json["to_seq"]?.int64Value == 4 })

        #expect(checkpoint.json["last_hash"]?.stringValue == (try storedRows(database))[3].hash)
        #expect(try storedCheckpoints(database).first?.json["last_hash"]?.stringValue == AuditLog.genesisHash)
    }

    @Test("idle log still gets empty checkpoints every interval")
    func idleIntervalsAreSigned() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path, options: storedOptions(interval: 0.2), signingKey: try PrivateKey.generateEd25519())
        try await log.append(sampleEntry(1))

        try await Task.sleep(for: .milliseconds(1100))
        log.close()

        let checkpoints = try storedCheckpoints(SQLiteDatabase(path: path, readOnly: true))
        let timed = checkpoints.filter { $0.json["type"]?.stringValue == "checkpoint" }
        #expect(timed.count >= 3)
        #expect(timed.first?.json["to_seq"]?.int64Value == 1)
        #expect(timed.dropFirst().allSatisfy { $0.json["records"]?.int64Value == 0 })
        #expect(try AuditVerifier.verify(path: path).isIntact)
    }

    @Test("each checkpoint names the hash of the one before it")
    func checkpointsAreChained() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 9, signingKey: try PrivateKey.generateEd25519(), options: storedOptions(every: 3))

        let checkpoints = try storedCheckpoints(SQLiteDatabase(path: path, readOnly: true))

        #expect(checkpoints.first?.json["previous_checkpoint_hash"]?.stringValue == AuditLog.genesisHash)
        for (previous, next) in zip(checkpoints, checkpoints.dropFirst()) {
            #expect(next.json["previous_checkpoint_hash"]?.stringValue == checkpointHash(body: previous.body, signature: previous.signature))
        }
        #expect(checkpoints.count == 5)
    }

    @Test("signature is Ed25519 over the canonical body under the named key")
    func signatureVerifiesIndependently() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let key = try PrivateKey.generateEd25519()
        try makeLog(at: path, count: 2, signingKey: key)

        let checkpoints = try storedCheckpoints(SQLiteDatabase(path: path, readOnly: true))

        #expect(checkpoints.count == 2)
        for checkpoint in checkpoints {
            let signature = try #require(Data(hexString: checkpoint.signature))
            #expect(key.publicKey.isValidSignature(signature, for: Data(checkpoint.body.utf8), algorithm: .ed25519))
            #expect(String(decoding: checkpoint.json.canonicalized(), as: UTF8.self) == checkpoint.body)
            #expect(checkpoint.json["key_id"]?.stringValue == hex(Digest.sha256(key.publicKey.derSubjectPublicKeyInfo())))
            #expect(checkpoint.json["algorithm"]?.stringValue == "Ed25519")
        }
    }

    @Test("checkpoint on request covers every earlier append")
    func checkpointOnRequest() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions(), signingKey: try PrivateKey.generateEd25519())
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(2))

        let checkpoint = try #require(try log.checkpoint())

        #expect(checkpoint.checkpoint.toSequence == 2)
        #expect(checkpoint.checkpoint.fromSequence == 1)
        #expect(checkpoint.checkpoint.kind == .regular)
    }

    @Test("log without a signing key writes no checkpoints")
    func unsignedLogHasNoCheckpoints() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 3)

        #expect(try storedCheckpoints(SQLiteDatabase(path: path, readOnly: true)).isEmpty)
    }

    @Test("anchor file receives every checkpoint as a JSON line")
    func anchorFileGetsCheckpoints() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        var options = storedOptions(every: 2)
        options.anchorPath = folder.path("anchors.jsonl")
        try makeLog(at: path, count: 4, signingKey: try PrivateKey.generateEd25519(), options: options)

        let anchor = try AuditAnchor.load(path: folder.path("anchors.jsonl"))
        let stored = try storedCheckpoints(SQLiteDatabase(path: path, readOnly: true))

        #expect(anchor.checkpoints.map(\.body) == stored.map(\.body))
        #expect(anchor.checkpoints.map(\.signature) == stored.map(\.signature))
        #expect(anchor.notes.isEmpty)
    }
}

@Suite("AuditSigningKey")
struct AuditSigningKeyTests {
    @Test("new key file is Ed25519 with mode 0600 and is reused")
    func keyCreatedPrivateAndReused() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit-signing-key.pem")

        let created = try AuditSigningKey.loadOrCreate(at: path)
        let reloaded = try AuditSigningKey.loadOrCreate(at: path)

        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600)
        #expect(created.kind == .ed25519)
        #expect(created.publicKey == reloaded.publicKey)
    }

    @Test("key file readable by others is rejected")
    func groupReadableKeyRejected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit-signing-key.pem")
        _ = try AuditSigningKey.loadOrCreate(at: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)

        let error = #expect(throws: AuditError.self) {
            try AuditSigningKey.loadOrCreate(at: path)
        }

        #expect(error?.code == "signing_key_invalid")
        #expect(error?.reason.contains("chmod 600") == true)
    }

    @Test("key file that is not an Ed25519 PEM key is rejected", arguments: ["garbage", "rsa"])
    func wrongKeyFileRejected(content: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit-signing-key.pem")
        let text = content == "rsa" ? try PrivateKey.generateRSA().pemEncoded() : "not a key\n"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))

        let error = #expect(throws: AuditError.self) {
            try AuditSigningKey.loadOrCreate(at: path)
        }

        #expect(error?.code == "signing_key_invalid")
    }

    @Test("public key file may hold several keys")
    func severalPublicKeys() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("keys.pem")
        let first = try PrivateKey.generateEd25519().publicKey
        let second = try PrivateKey.generateEd25519().publicKey
        try (first.pemEncoded() + second.pemEncoded()).write(toFile: path, atomically: true, encoding: .utf8)

        let keys = try AuditSigningKey.loadPublicKeys(from: path)

        #expect(keys == [first, second])
    }

    @Test("public key file without a usable Ed25519 key is rejected", arguments: ["empty", "garbage", "rsa", "truncated"])
    func badPublicKeyFileRejected(content: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("keys.pem")
        let text: String
        switch content {
        case "empty": text = ""
        case "garbage": text = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
        case "rsa": text = try PrivateKey.generateRSA().publicKey.pemEncoded()
        default: text = String(try PrivateKey.generateEd25519().publicKey.pemEncoded().prefix(40))
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let error = #expect(throws: AuditError.self) {
            try AuditSigningKey.loadPublicKeys(from: path)
        }

        #expect(error?.code == "public_key_invalid")
        #expect(error?.reason.contains(path) == true)
    }
}

extension Data {
    /// Decodes lower-case or upper-case hex; nil for anything else.
    init?(hexString: String) {
        let characters = Array(hexString)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let byte = UInt8(String(characters[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}
