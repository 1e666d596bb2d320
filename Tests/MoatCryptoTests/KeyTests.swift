import COpenSSL
import Foundation
import Testing

@testable import MoatCrypto

@Suite("Key generation, import and signatures")
struct KeyTests {
    static let algorithms: [SignatureAlgorithm] = SignatureAlgorithm.allCases

    static func generateKey(for algorithm: SignatureAlgorithm) throws -> PrivateKey {
        switch algorithm {
        case .rsaPKCS1v15SHA256, .rsaPSSSHA256: try PrivateKey.generateRSA()
        case .ecdsaP256SHA256: try PrivateKey.generateEC(curve: .p256)
        case .ecdsaP384SHA384: try PrivateKey.generateEC(curve: .p384)
        case .ed25519: try PrivateKey.generateEd25519()
        }
    }

    @Test("signature verifies and a changed message does not", arguments: algorithms)
    func signAndVerify(algorithm: SignatureAlgorithm) throws {
        let key = try Self.generateKey(for: algorithm)
        let message = Data("header.payload".utf8)
        let signature = try key.sign(message, algorithm: algorithm)
        #expect(key.publicKey.isValidSignature(signature, for: message, algorithm: algorithm))
        #expect(!key.publicKey.isValidSignature(signature, for: Data("header.payloae".utf8), algorithm: algorithm))
        var flipped = signature
        flipped[flipped.count / 2] ^= 0x01
        #expect(!key.publicKey.isValidSignature(flipped, for: message, algorithm: algorithm))
    }

    @Test("ECDSA signatures are raw r||s of fixed length")
    func rawECDSALength() throws {
        let p256 = try PrivateKey.generateEC(curve: .p256)
        let p384 = try PrivateKey.generateEC(curve: .p384)
        #expect(try p256.sign(Data("m".utf8), algorithm: .ecdsaP256SHA256).count == 64)
        #expect(try p384.sign(Data("m".utf8), algorithm: .ecdsaP384SHA384).count == 96)
    }

    @Test("raw ECDSA signature with r or s of zero is rejected")
    func zeroECDSA() throws {
        let key = try PrivateKey.generateEC(curve: .p256)
        let message = Data("m".utf8)
        let good = try key.sign(message, algorithm: .ecdsaP256SHA256)
        let zeroR = Data(count: 32) + good.suffix(32)
        let zeroS = good.prefix(32) + Data(count: 32)
        #expect(!key.publicKey.isValidSignature(Data(count: 64), for: message, algorithm: .ecdsaP256SHA256))
        #expect(!key.publicKey.isValidSignature(zeroR, for: message, algorithm: .ecdsaP256SHA256))
        #expect(!key.publicKey.isValidSignature(zeroS, for: message, algorithm: .ecdsaP256SHA256))
    }

    @Test("ECDSA signature of the wrong length is rejected", arguments: [0, 63, 65, 70, 128])
    func ecdsaLength(length: Int) throws {
        let key = try PrivateKey.generateEC(curve: .p256)
        let message = Data("m".utf8)
        var signature = try key.sign(message, algorithm: .ecdsaP256SHA256)
        signature = length <= 64 ? signature.prefix(length) : signature + Data(count: length - 64)
        #expect(!key.publicKey.isValidSignature(signature, for: message, algorithm: .ecdsaP256SHA256))
    }

    @Test("DER ECDSA signature is accepted only in DER mode")
    func derFormat() throws {
        let key = try PrivateKey.generateEC(curve: .p256)
        let message = Data("m".utf8)
        let raw = [UInt8](try key.sign(message, algorithm: .ecdsaP256SHA256))
        let der = try #require(ECDSASignature.derFromRaw(raw, curve: .p256))
        #expect(key.publicKey.isValidSignature(Data(der), for: message, algorithm: .ecdsaP256SHA256, ecdsaFormat: .der))
        #expect(!key.publicKey.isValidSignature(Data(der), for: message, algorithm: .ecdsaP256SHA256, ecdsaFormat: .raw))
        #expect(!key.publicKey.isValidSignature(Data(der + [0]), for: message, algorithm: .ecdsaP256SHA256, ecdsaFormat: .der))
    }

    @Test("algorithm that does not fit the key is rejected")
    func algorithmMismatch() throws {
        let ecKey = try PrivateKey.generateEC(curve: .p256)
        let message = Data("m".utf8)
        let signature = try ecKey.sign(message, algorithm: .ecdsaP256SHA256)
        #expect(!ecKey.publicKey.isValidSignature(signature, for: message, algorithm: .ecdsaP384SHA384))
        #expect(!ecKey.publicKey.isValidSignature(signature, for: message, algorithm: .rsaPKCS1v15SHA256))
        #expect(throws: CryptoError(code: .algorithmMismatch, reason: "")) {
            try ecKey.sign(message, algorithm: .ed25519)
        }
    }

    @Test("PKCS#1 and PSS signatures do not verify as each other")
    func rsaPaddingConfusion() throws {
        let key = try PrivateKey.generateRSA()
        let message = Data("m".utf8)
        let pkcs1 = try key.sign(message, algorithm: .rsaPKCS1v15SHA256)
        let pss = try key.sign(message, algorithm: .rsaPSSSHA256)
        #expect(!key.publicKey.isValidSignature(pkcs1, for: message, algorithm: .rsaPSSSHA256))
        #expect(!key.publicKey.isValidSignature(pss, for: message, algorithm: .rsaPKCS1v15SHA256))
    }

    @Test("PSS signature with a 20-byte salt is rejected")
    func pssSaltLength() throws {
        let key = try PrivateKey.generateRSA()
        let message = Data("m".utf8)
        // Sign directly through OpenSSL with sLen = 20, which its default
        // verification (salt length auto-detected) would accept.
        let context = try #require(EVP_MD_CTX_new())
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer? = nil
        #expect(EVP_DigestSignInit(context, &keyContext, EVP_sha256(), nil, key.key.pointer) == 1)
        #expect(EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1)
        #expect(EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, 20) == 1)
        var length = 512
        var signature = [UInt8](repeating: 0, count: length)
        let bytes = [UInt8](message)
        #expect(EVP_DigestSign(context, &signature, &length, bytes, bytes.count) == 1)
        #expect(!key.publicKey.isValidSignature(Data(signature.prefix(length)), for: message, algorithm: .rsaPSSSHA256))
    }

    @Test("private key PEM round-trips", arguments: algorithms)
    func privatePEM(algorithm: SignatureAlgorithm) throws {
        let key = try Self.generateKey(for: algorithm)
        let pem = key.pemEncoded()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let imported = try PrivateKey(pem: pem)
        #expect(imported.publicKey == key.publicKey)
        let signature = try imported.sign(Data("m".utf8), algorithm: algorithm)
        #expect(key.publicKey.isValidSignature(signature, for: Data("m".utf8), algorithm: algorithm))
    }

    @Test("public key PEM and components round-trip", arguments: algorithms)
    func publicPEM(algorithm: SignatureAlgorithm) throws {
        let key = try Self.generateKey(for: algorithm).publicKey
        #expect(try PublicKey(pem: key.pemEncoded()) == key)
        #expect(try PublicKey(derSubjectPublicKeyInfo: key.derSubjectPublicKeyInfo()) == key)
        switch key.kind {
        case .rsa:
            let (n, e) = try #require(key.rsaComponents)
            #expect(try PublicKey(rsaModulus: n, exponent: e) == key)
        case .ec(let curve):
            let (x, y) = try #require(key.ecCoordinates)
            #expect(try PublicKey(ecCurve: curve, x: x, y: y) == key)
        case .ed25519:
            #expect(try PublicKey(ed25519: try #require(key.ed25519Raw)) == key)
        }
    }

    @Test("traditional RSA PEM is imported")
    func traditionalPEM() throws {
        let key = try PrivateKey.generateRSA()
        let text = try #require(MemoryBIO.collectText { bio in
            PEM_write_bio_PrivateKey_traditional(bio, key.key.pointer, nil, nil, 0, nil, nil)
        })
        #expect(text.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        #expect(try PrivateKey(pem: text).publicKey == key.publicKey)
    }

    @Test("garbage PEM is rejected")
    func garbagePEM() {
        #expect(throws: CryptoError(code: .invalidPEM, reason: "")) { try PublicKey(pem: "not a key") }
        #expect(throws: CryptoError(code: .invalidPEM, reason: "")) { try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
    }
}

@Suite("Key import policy")
struct KeyPolicyTests {
    @Test("RSA key under 2048 bits is rejected")
    func smallRSA() throws {
        let modulus = Data([0xC0]) + Data(repeating: 0x01, count: 127)
        #expect(throws: CryptoError(code: .unsupportedKey, reason: "")) {
            try PublicKey(rsaModulus: modulus, exponent: Data([1, 0, 1]))
        }
        #expect(throws: CryptoError(code: .unsupportedKey, reason: "")) { try PrivateKey.generateRSA(bits: 1024) }
    }

    @Test("RSA exponent below 65537 or even is rejected", arguments: [[0x01], [0x03], [0x01, 0x00, 0x00], [0x01, 0x00, 0x01, 0x00]] as [[UInt8]])
    func weakExponent(exponent: [UInt8]) throws {
        let (modulus, _) = try #require(try PrivateKey.generateRSA().publicKey.rsaComponents)
        #expect(throws: CryptoError(code: .invalidKey, reason: "")) {
            try PublicKey(rsaModulus: modulus, exponent: Data(exponent))
        }
    }

    @Test("odd RSA exponent above 65537 is accepted")
    func largeExponent() throws {
        #expect(KeyPolicy.isAcceptableExponent(Data([0x01, 0x00, 0x03])))
        #expect(KeyPolicy.isAcceptableExponent(Data([0x00, 0x01, 0x00, 0x01])))
        #expect(!KeyPolicy.isAcceptableExponent(Data([0x00, 0xFF, 0xFF])))
    }

    @Test("EC point off the curve is rejected")
    func offCurve() throws {
        let (x, y) = try #require(try PrivateKey.generateEC(curve: .p256).publicKey.ecCoordinates)
        var badY = y
        badY[31] ^= 0x01
        #expect(throws: CryptoError(code: .invalidKey, reason: "")) { try PublicKey(ecCurve: .p256, x: x, y: badY) }
        #expect(throws: CryptoError(code: .invalidKey, reason: "")) { try PublicKey(ecCurve: .p384, x: x, y: y) }
        #expect(throws: CryptoError(code: .invalidKey, reason: "")) { try PublicKey(ecCurve: .p256, x: Data(count: 32), y: Data(count: 32)) }
        #expect(throws: CryptoError(code: .invalidKey, reason: "")) { try PublicKey(ecCurve: .p256, x: x.dropFirst(), y: y) }
    }

    @Test("Ed25519 key of the wrong length is rejected")
    func ed25519Length() {
        #expect(throws: CryptoError(code: .invalidKey, reason: "")) { try PublicKey(ed25519: Data(count: 31)) }
    }

    @Test("generated RSA moduli lack the ROCA fingerprint")
    func rocaNegative() throws {
        let (modulus, _) = try #require(try PrivateKey.generateRSA().publicKey.rsaComponents)
        #expect(!ROCAFingerprint.matches(modulus: modulus))
    }

    @Test("modulus built from the ROCA generator is detected")
    func rocaPositive() {
        // Residues that are powers of 65537 modulo every listed prime, which is
        // what a ROCA prime product yields; 65537^k itself has that property.
        var modulus = [UInt8]([0x01, 0x00, 0x01])
        for _ in 0..<50 { modulus = multiply(modulus, [0x01, 0x00, 0x01]) }
        #expect(ROCAFingerprint.matches(modulus: Data(modulus)))
    }

    private func multiply(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [Int](repeating: 0, count: a.count + b.count)
        for (i, x) in a.reversed().enumerated() {
            for (j, y) in b.reversed().enumerated() { result[i + j] += Int(x) * Int(y) }
        }
        var carry = 0
        for index in result.indices {
            let total = result[index] + carry
            result[index] = total & 0xFF
            carry = total >> 8
        }
        return Array(result.reversed().map(UInt8.init).drop(while: { $0 == 0 }))
    }
}
