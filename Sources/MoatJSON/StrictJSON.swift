import Foundation

/// Decoding of `Decodable` types behind Moat's strict parser.
///
/// Foundation's `JSONDecoder` silently accepts duplicate object members and
/// keeps the first, while `JSONSerialization` keeps the last. Two components
/// that read the same text with different parsers can then act on different
/// values. Every Moat component decodes through this type instead.
public enum StrictJSON {
    /// Parses `data` with ``JSONValue/parse(_:limits:)`` (duplicates and every
    /// other RFC 8259 violation rejected), then decodes it with `JSONDecoder`.
    ///
    /// - Throws: ``JSONError`` when the text is not strict JSON, or the
    ///   `DecodingError` from `JSONDecoder` when it does not match `type`.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, limits: JSONLimits = .init()) throws -> T {
        _ = try JSONValue.parse(data, limits: limits)
        return try JSONDecoder().decode(type, from: data)
    }
}
