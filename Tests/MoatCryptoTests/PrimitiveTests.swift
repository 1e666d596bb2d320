import COpenSSL
import Foundation
import Testing

@testable import MoatCrypto

private func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

@Suite("Digests, HMAC and random bytes")
struct PrimitiveTests {
    @Test("SHA-2 digests of \"abc\" match FIPS 180-4 examples")
    func digests() {
        let message = Data("abc".utf8)
        #expect(hex(Digest.sha256(message)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(Digest.sha384(message)) == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        #expect(hex(Digest.sha512(message)).hasPrefix("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"))
    }

    @Test("SHA-256 of buffers matches EVP at every length")
    func sha256Buffers() {
        // Lengths around the 64-byte block and the 55-byte padding boundary, up to several blocks.
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 4096] {
            let message = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            let buffered = message.withUnsafeBytes { Digest.sha256(bytes: $0) }
            var viaEVP = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            let status = message.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &viaEVP, &length, EVP_sha256(), nil) }
            #expect(status == 1)
            #expect(buffered == Data(viaEVP), "length \(length)")
            #expect(buffered.count == 32)
        }
        let abc = Data("abc".utf8).withUnsafeBytes { Digest.sha256(bytes: $0) }
        #expect(hex(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("inline SHA-256 digest keeps the digest bytes")
    func inlineDigest() {
        let digest = SHA256Digest(hashing: "abc")
        #expect(hex(digest.bytes) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest(bytes: digest.bytes) == digest)
        #expect(SHA256Digest(bytes: digest.bytes.prefix(31)) == nil)
        #expect(SHA256Digest(hashing: "abd") != digest)
        #expect(Set([digest, SHA256Digest(hashing: "abc")]).count == 1)
    }

    @Test("HMAC-SHA-256 matches RFC 4231 test cases 1 and 2")
    func hmacVectors() {
        let case1 = HMAC.sha256(key: Data(repeating: 0x0b, count: 20), message: Data("Hi There".utf8))
        #expect(hex(case1) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let case2 = HMAC.sha256(key: Data("Jefe".utf8), message: Data("what do ya want for nothing?".utf8))
        #expect(hex(case2) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("HMAC accepts an empty key")
    func hmacEmptyKey() {
        // Reference value from Python: hmac.new(b"", b"", hashlib.sha256).hexdigest().
        #expect(hex(HMAC.sha256(key: Data(), message: Data())) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("random bytes have the requested length and differ")
    func randomBytes() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        #expect(SecureRandom.bytes(count: 48).count == 48)
        #expect(SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
    }

    @Test("token is unpadded base64url of the requested entropy")
    func token() {
        let token = SecureRandom.token()
        #expect(token.count == 43)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(SecureRandom.token(byteCount: 16).count == 22)
    }
}

@Suite("Constant-time helpers")
struct ConstantTimeTests {
    @Test("equal byte strings compare equal")
    func equalBytes() {
        #expect(ConstantTime.equals(Data([1, 2, 3]), Data([1, 2, 3])))
        #expect(ConstantTime.equals(Data(), Data()))
    }

    @Test("different content or length compares unequal")
    func unequalBytes() {
        #expect(!ConstantTime.equals(Data([1, 2, 3]), Data([1, 2, 4])))
        #expect(!ConstantTime.equals(Data([1, 2, 3]), Data([1, 2])))
        #expect(!ConstantTime.equals(Data(), Data([0])))
    }

    @Test("strings compare by UTF-8 bytes")
    func strings() {
        #expect(ConstantTime.equals("csrf-token-é", "csrf-token-é"))
        #expect(!ConstantTime.equals("csrf-token-a", "csrf-token-b"))
        // "é" precomposed and decomposed are equal as Swift strings but not as bytes.
        #expect(!ConstantTime.equals("\u{E9}", "e\u{301}"))
    }

    @Test("wipe empties the data")
    func wipe() {
        var secret = Data(repeating: 0xAA, count: 32)
        ConstantTime.wipe(&secret)
        #expect(secret.isEmpty)
    }
}

@Suite("AES-256-GCM")
struct AESGCMTests {
    let key = Data((0..<32).map { UInt8($0) })

    @Test("sealed box opens to the plaintext")
    func roundTrip() throws {
        let plaintext = Data("session state".utf8)
        let box = try AESGCM.seal(plaintext, key: key, associatedData: Data("v1".utf8))
        #expect(box.count == 12 + plaintext.count + 16)
        #expect(try AESGCM.open(box, key: key, associatedData: Data("v1".utf8)) == plaintext)
    }

    @Test("empty plaintext round-trips")
    func emptyPlaintext() throws {
        let box = try AESGCM.seal(Data(), key: key)
        #expect(try AESGCM.open(box, key: key) == Data())
    }

    @Test("two seals of one plaintext differ because the nonce is random")
    func freshNonce() throws {
        let plaintext = Data("same".utf8)
        #expect(try AESGCM.seal(plaintext, key: key) != AESGCM.seal(plaintext, key: key))
    }

    @Test("any flipped bit is rejected")
    func tamperedBox() throws {
        let box = try AESGCM.seal(Data("attack at dawn".utf8), key: key)
        for index in box.indices {
            var tampered = box
            tampered[index] ^= 0x01
            #expect(throws: CryptoError(code: .authenticationFailed, reason: "")) {
                try AESGCM.open(tampered, key: key)
            }
        }
    }

    @Test("wrong key, associated data or truncation is rejected")
    func wrongInputs() throws {
        let box = try AESGCM.seal(Data("payload".utf8), key: key, associatedData: Data("a".utf8))
        let failure = CryptoError(code: .authenticationFailed, reason: "")
        var otherKey = key
        otherKey[0] ^= 0xFF
        #expect(throws: failure) { try AESGCM.open(box, key: otherKey, associatedData: Data("a".utf8)) }
        #expect(throws: failure) { try AESGCM.open(box, key: key, associatedData: Data("b".utf8)) }
        #expect(throws: failure) { try AESGCM.open(box.prefix(27), key: key) }
        #expect(throws: failure) { try AESGCM.open(box.dropLast(), key: key, associatedData: Data("a".utf8)) }
    }

    @Test("key that is not 32 bytes is rejected")
    func keyLength() {
        #expect(throws: CryptoError(code: .invalidArgument, reason: "")) {
            try AESGCM.seal(Data(), key: Data(count: 16))
        }
    }
}
