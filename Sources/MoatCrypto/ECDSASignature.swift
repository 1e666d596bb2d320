import COpenSSL
import Foundation

/// Conversions between raw (IEEE P1363) and DER ECDSA signatures, with the
/// range checks OpenSSL would otherwise apply later or not at all.
enum ECDSASignature {
    /// Group order n of each curve, big-endian, read once from OpenSSL.
    private static let orders: [ECCurve: [UInt8]] = {
        var result: [ECCurve: [UInt8]] = [:]
        for curve in ECCurve.allCases {
            guard let group = EC_GROUP_new_by_curve_name(curve.nid) else {
                preconditionFailure("OpenSSL does not know curve \(curve.joseName)")
            }
            defer { EC_GROUP_free(group) }
            var bytes = [UInt8](repeating: 0, count: curve.coordinateByteCount)
            let written = BN_bn2binpad(EC_GROUP_get0_order(group), &bytes, Int32(bytes.count))
            precondition(written == Int32(bytes.count), "order of \(curve.joseName) does not fit its coordinate length")
            result[curve] = bytes
        }
        return result
    }()

    /// True when the fixed-width big-endian integer is in 1...n-1.
    /// Comparing equal-length byte strings lexicographically compares the integers.
    static func isInRange(_ value: [UInt8], curve: ECCurve) -> Bool {
        let order = orders[curve]!
        guard value.count == order.count, value.contains(where: { $0 != 0 }) else { return false }
        return value.lexicographicallyPrecedes(order)
    }

    /// Converts a raw r‖s signature into DER, or returns nil when its length is
    /// not exactly twice the coordinate length or r or s is outside 1...n-1
    /// (the CVE-2022-21449 "psychic signature" check).
    static func derFromRaw(_ raw: [UInt8], curve: ECCurve) -> [UInt8]? {
        let size = curve.coordinateByteCount
        guard raw.count == 2 * size else { return nil }
        let r = Array(raw[0..<size])
        let s = Array(raw[size...])
        guard isInRange(r, curve: curve), isInRange(s, curve: curve) else { return nil }
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let rNumber = BN_bin2bn(r, Int32(size), nil)
        let sNumber = BN_bin2bn(s, Int32(size), nil)
        // ECDSA_SIG_set0 takes ownership of both numbers only when it succeeds.
        guard ECDSA_SIG_set0(signature, rNumber, sNumber) == 1 else {
            BN_free(rNumber)
            BN_free(sNumber)
            return nil
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_ECDSA_SIG(signature, &output)
        guard length > 0, let output else { return nil }
        defer { CRYPTO_free(output, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }

    /// Converts a DER signature into raw r‖s, or returns nil unless the input
    /// is strict DER (re-encoding gives the same bytes) and r and s are in 1...n-1.
    static func rawFromDER(_ der: [UInt8], curve: ECCurve) -> [UInt8]? {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let signature = parsed else {
            ERR_clear_error()
            return nil
        }
        defer { ECDSA_SIG_free(signature) }
        // BER variants (long-form lengths, extra zeros) and trailing bytes re-encode differently.
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_ECDSA_SIG(signature, &output)
        guard length > 0, let output else { return nil }
        let reencoded = Array(UnsafeBufferPointer(start: output, count: Int(length)))
        CRYPTO_free(output, #fileID, #line)
        guard reencoded == der else { return nil }

        let size = curve.coordinateByteCount
        var r = [UInt8](repeating: 0, count: size)
        var s = [UInt8](repeating: 0, count: size)
        // Negative values are rejected here, and BN_bn2binpad fails for values wider than `size`.
        guard BN_is_negative(ECDSA_SIG_get0_r(signature)) == 0, BN_is_negative(ECDSA_SIG_get0_s(signature)) == 0,
            BN_bn2binpad(ECDSA_SIG_get0_r(signature), &r, Int32(size)) == Int32(size),
            BN_bn2binpad(ECDSA_SIG_get0_s(signature), &s, Int32(size)) == Int32(size),
            isInRange(r, curve: curve), isInRange(s, curve: curve)
        else { return nil }
        return r + s
    }
}
