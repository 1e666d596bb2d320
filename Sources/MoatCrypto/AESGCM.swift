import COpenSSL
import Foundation

/// AES-256-GCM authenticated encryption (NIST SP 800-38D).
///
/// A sealed box is `nonce (12 bytes) || ciphertext || tag (16 bytes)`. Each
/// call to ``seal(_:key:associatedData:)`` draws a fresh random nonce, so one
/// key should seal at most about 2^32 messages (SP 800-38D §8.3).
public enum AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// Encrypts and authenticates `plaintext`; `associatedData` is authenticated but not encrypted.
    ///
    /// - Throws: ``CryptoError/Code/invalidArgument`` when `key` is not 32 bytes.
    public static func seal(_ plaintext: some DataProtocol, key: Data, associatedData: Data = Data()) throws -> Data {
        try checkKey(key)
        let nonce = [UInt8](SecureRandom.bytes(count: nonceByteCount))
        let input = [UInt8](plaintext)
        var ciphertext = [UInt8](repeating: 0, count: input.count)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        try withCipher(encrypt: true, key: key, nonce: nonce, associatedData: associatedData) { context throws(CryptoError) in
            var length: Int32 = 0
            guard input.isEmpty || EVP_EncryptUpdate(context, &ciphertext, &length, input, Int32(input.count)) == 1,
                EVP_EncryptFinal_ex(context, &tag, &length) == 1,
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1
            else { throw CryptoError.openSSL(.operationFailed, "AES-GCM encryption failed") }
        }
        return Data(nonce + ciphertext + tag)
    }

    /// Checks and decrypts a sealed box made by ``seal(_:key:associatedData:)``.
    ///
    /// - Throws: ``CryptoError/Code/authenticationFailed`` when the box is
    ///   shorter than 28 bytes, or when the box, the key or the associated data
    ///   differs from sealing. No plaintext is returned then.
    public static func open(_ sealedBox: some DataProtocol, key: Data, associatedData: Data = Data()) throws -> Data {
        try checkKey(key)
        let box = [UInt8](sealedBox)
        guard box.count >= nonceByteCount + tagByteCount else {
            throw CryptoError(code: .authenticationFailed, reason: "sealed box is \(box.count) bytes, shorter than nonce plus tag (28 bytes)")
        }
        let nonce = Array(box[0..<nonceByteCount])
        let ciphertext = Array(box[nonceByteCount..<(box.count - tagByteCount)])
        var tag = Array(box[(box.count - tagByteCount)...])
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        do {
            try withCipher(encrypt: false, key: key, nonce: nonce, associatedData: associatedData) { context throws(CryptoError) in
                var length: Int32 = 0
                guard ciphertext.isEmpty || EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1,
                    EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1
                else { throw CryptoError.openSSL(.operationFailed, "AES-GCM decryption failed") }
                var finalBlock = [UInt8](repeating: 0, count: 16)
                guard EVP_DecryptFinal_ex(context, &finalBlock, &length) == 1 else {
                    ERR_clear_error()
                    throw CryptoError(code: .authenticationFailed, reason: "AES-GCM tag does not match; the box, key or associated data differ")
                }
            }
        } catch {
            plaintext.withUnsafeMutableBytes { buffer in
                if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
            }
            throw error
        }
        return Data(plaintext)
    }

    private static func checkKey(_ key: Data) throws(CryptoError) {
        guard key.count == keyByteCount else {
            throw CryptoError(code: .invalidArgument, reason: "AES-256-GCM key must be 32 bytes, got \(key.count)")
        }
    }

    private static func withCipher(
        encrypt: Bool, key: Data, nonce: [UInt8], associatedData: Data,
        _ body: (OpaquePointer) throws(CryptoError) -> Void
    ) throws(CryptoError) {
        guard let context = EVP_CIPHER_CTX_new() else {
            throw CryptoError.openSSL(.operationFailed, "could not allocate a cipher context")
        }
        defer { EVP_CIPHER_CTX_free(context) }
        let keyBytes = [UInt8](key)
        let aad = [UInt8](associatedData)
        var length: Int32 = 0
        let initialized =
            encrypt
            ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, keyBytes, nonce)
            : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, keyBytes, nonce)
        guard initialized == 1 else { throw CryptoError.openSSL(.operationFailed, "could not initialize AES-256-GCM") }
        if !aad.isEmpty {
            let added =
                encrypt
                ? EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count))
                : EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count))
            guard added == 1 else { throw CryptoError.openSSL(.operationFailed, "could not add associated data") }
        }
        try body(context)
    }
}
