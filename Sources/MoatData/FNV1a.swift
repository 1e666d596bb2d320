/// 64-bit FNV-1a, a fast non-cryptographic hash.
///
/// Used for document ids (derived from the relative path) and for change
/// detection of file contents. Neither is a security boundary: anyone who
/// can craft colliding inputs already controls the ingested files, the
/// store rejects two paths with the same id, and change detection also
/// compares the byte count.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    /// 16 lower-case hex digits.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hash = FNV1a64()
        hash.update(bytes)
        return hash.hex
    }
}
