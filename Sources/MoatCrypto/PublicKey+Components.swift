import COpenSSL
import Foundation

/// `EVP_PKEY_PUBLIC_KEY` from evp.h: all domain parameters plus the public key.
/// The C macro is a composite expression that Swift does not import.
private let selectPublicKey: Int32 = 0x86

extension PublicKey {
    /// Builds an RSA public key from its modulus and exponent, as big-endian
    /// unsigned integers (leading zero bytes are ignored).
    ///
    /// - Throws: ``CryptoError`` with code `unsupported_key` for fewer than
    ///   2048 bits, `invalid_key` for an even exponent or one below 65537.
    public convenience init(rsaModulus n: Data, exponent e: Data) throws {
        let pointer = try Self.makeKey(
            type: "RSA",
            parameters: [
                .bigNumber(name: ParameterName.rsaModulus, value: n),
                .bigNumber(name: ParameterName.rsaExponent, value: e),
            ])
        try self.init(validating: OpenSSLKey(taking: pointer))
    }

    /// Builds an EC public key from its affine coordinates, each exactly the
    /// curve's coordinate length (32 bytes for P-256, 48 for P-384).
    ///
    /// - Throws: ``CryptoError/Code/invalidKey`` when a coordinate has the
    ///   wrong length or the point is not on the curve (`EVP_PKEY_public_check`).
    public convenience init(ecCurve curve: ECCurve, x: Data, y: Data) throws {
        let size = curve.coordinateByteCount
        guard x.count == size, y.count == size else {
            throw CryptoError(
                code: .invalidKey,
                reason: "\(curve.joseName) coordinates must be \(size) bytes each, got \(x.count) and \(y.count)")
        }
        // SEC 1 §2.3.3 uncompressed point: 0x04 || x || y.
        let point = Data([0x04]) + x + y
        let pointer = try Self.makeKey(
            type: "EC",
            parameters: [
                .utf8(name: ParameterName.group, value: curve.openSSLGroupName),
                .octets(name: ParameterName.publicKey, value: point),
            ])
        try self.init(validating: OpenSSLKey(taking: pointer))
    }

    /// Builds an Ed25519 public key from its 32-byte encoding (RFC 8032 §5.1.5).
    public convenience init(ed25519 raw: Data) throws {
        guard raw.count == 32 else {
            throw CryptoError(code: .invalidKey, reason: "Ed25519 public key must be 32 bytes, got \(raw.count)")
        }
        let bytes = [UInt8](raw)
        guard let pointer = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, bytes, bytes.count) else {
            throw CryptoError.openSSL(.invalidKey, "OpenSSL rejected the Ed25519 public key")
        }
        try self.init(validating: OpenSSLKey(taking: pointer))
    }

    /// RSA modulus and exponent as minimal big-endian bytes; nil for other key types.
    public var rsaComponents: (modulus: Data, exponent: Data)? {
        guard case .rsa = kind, let n = key.bigNumberParameter("n"), let e = key.bigNumberParameter("e") else { return nil }
        return (n, e)
    }

    /// EC affine coordinates, each left-padded to the curve's coordinate length; nil for other key types.
    public var ecCoordinates: (x: Data, y: Data)? {
        guard case .ec(let curve) = kind,
            let x = key.bigNumberParameter("qx", paddedTo: curve.coordinateByteCount),
            let y = key.bigNumberParameter("qy", paddedTo: curve.coordinateByteCount)
        else { return nil }
        return (x, y)
    }

    /// The 32-byte Ed25519 public key; nil for other key types.
    public var ed25519Raw: Data? {
        guard case .ed25519 = kind else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        var length = bytes.count
        guard EVP_PKEY_get_raw_public_key(key.pointer, &bytes, &length) == 1, length == 32 else { return nil }
        return Data(bytes)
    }

    /// One entry for `OSSL_PARAM_BLD`.
    private enum Parameter {
        case bigNumber(name: StaticString, value: Data)
        case utf8(name: StaticString, value: String)
        case octets(name: StaticString, value: Data)
    }

    /// Creates a public key of `type` from `parameters`.
    ///
    /// `OSSL_PARAM_BLD` keeps the pointers it is given (names, big numbers,
    /// string and octet buffers) until `OSSL_PARAM_BLD_to_param` copies the
    /// values, and the resulting `OSSL_PARAM` array still points at the
    /// names. So names are static strings, and values are copied into
    /// buffers that are freed only after the key is built.
    private static func makeKey(type: String, parameters: [Parameter]) throws(CryptoError) -> OpaquePointer {
        guard let builder = OSSL_PARAM_BLD_new() else {
            throw CryptoError.openSSL(.operationFailed, "could not allocate an OSSL_PARAM builder")
        }
        var numbers: [OpaquePointer?] = []
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            OSSL_PARAM_BLD_free(builder)
            for number in numbers { BN_free(number) }
            for buffer in buffers { buffer.deallocate() }
        }
        for parameter in parameters {
            let pushed: Int32
            switch parameter {
            case .bigNumber(let name, let value):
                let bytes = [UInt8](value)
                let number = BN_bin2bn(bytes, Int32(bytes.count), nil)
                numbers.append(number)
                pushed = OSSL_PARAM_BLD_push_BN(builder, name.cString, number)
            case .utf8(let name, let value):
                let bytes = Array(value.utf8) + [0]
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
                buffer.copyBytes(from: bytes)
                buffers.append(buffer)
                pushed = OSSL_PARAM_BLD_push_utf8_string(
                    builder, name.cString, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count - 1)
            case .octets(let name, let value):
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(value.count, 1), alignment: 1)
                buffer.copyBytes(from: value)
                buffers.append(buffer)
                pushed = OSSL_PARAM_BLD_push_octet_string(builder, name.cString, buffer.baseAddress, value.count)
            }
            guard pushed == 1 else { throw CryptoError.openSSL(.invalidKey, "could not build \(type) key parameters") }
        }
        guard let builtParameters = OSSL_PARAM_BLD_to_param(builder) else {
            throw CryptoError.openSSL(.invalidKey, "could not build \(type) key parameters")
        }
        defer { OSSL_PARAM_free(builtParameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw CryptoError.openSSL(.operationFailed, "could not create a \(type) key context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pointer: OpaquePointer? = nil
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &pointer, selectPublicKey, builtParameters) == 1,
            let pointer
        else {
            throw CryptoError.openSSL(.invalidKey, "OpenSSL rejected the \(type) public key components")
        }
        return pointer
    }
}

/// OpenSSL parameter names. A `StaticString` literal lives in the binary
/// for the whole process, as OpenSSL requires (see `makeKey`).
private enum ParameterName {
    static let rsaModulus: StaticString = "n"
    static let rsaExponent: StaticString = "e"
    static let group: StaticString = "group"
    static let publicKey: StaticString = "pub"
}

extension StaticString {
    fileprivate var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
