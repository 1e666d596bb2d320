import COpenSSL
import Foundation

/// Owns one `EVP_PKEY` and frees it when the last reference goes away.
///
/// OpenSSL 3 documents `EVP_PKEY` objects as safe to use from several threads
/// at once for signing and verifying, as long as nobody modifies them; this
/// wrapper never modifies the key after creation.
final class OpenSSLKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is immutable after init, and OpenSSL 3 allows concurrent read-only use.
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// The key's OpenSSL base type (`EVP_PKEY_RSA`, `EVP_PKEY_EC`, `EVP_PKEY_ED25519`).
    var baseID: Int32 { EVP_PKEY_get_base_id(pointer) }

    /// Reads a big-number parameter such as `n`, `e` or `qx` as big-endian bytes;
    /// `paddedTo` left-pads to a fixed width.
    func bigNumberParameter(_ name: String, paddedTo width: Int? = nil) -> Data? {
        var number: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            ERR_clear_error()
            return nil
        }
        defer { BN_free(number) }
        let length = width ?? Int((BN_num_bits(number) + 7) / 8)
        var bytes = [UInt8](repeating: 0, count: length)
        guard BN_bn2binpad(number, &bytes, Int32(length)) == Int32(length) else { return nil }
        return Data(bytes)
    }

    /// Reads a UTF-8 string parameter such as the EC `group` name.
    func stringParameter(_ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(pointer, name, &buffer, buffer.count, &length) == 1 else {
            ERR_clear_error()
            return nil
        }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// Memory BIOs for PEM input and output.
enum MemoryBIO {
    /// Runs `body` with a read-only BIO over `text`'s UTF-8 bytes.
    static func withReadable<T>(_ text: String, _ body: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
        let bytes = Array(text.utf8)
        guard bytes.count < Int32.max, let bio = BIO_new(BIO_s_mem()) else {
            throw CryptoError.openSSL(.invalidPEM, "could not allocate a BIO for the PEM text")
        }
        defer { BIO_free(bio) }
        guard bytes.isEmpty || BIO_write(bio, bytes, Int32(bytes.count)) == Int32(bytes.count) else {
            throw CryptoError.openSSL(.operationFailed, "could not buffer the PEM text")
        }
        return try body(bio)
    }

    /// Creates a writable BIO, lets `body` fill it, and returns what was written.
    static func collectText(_ body: (OpaquePointer) -> Int32) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard body(bio) == 1 else { return nil }
        var start: UnsafeMutableRawPointer? = nil
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &start)
        guard length > 0, let start else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: length), as: UTF8.self)
    }
}

/// Rejects encrypted PEM instead of letting OpenSSL prompt on the terminal for a passphrase.
let refusePassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in
    -1
}
