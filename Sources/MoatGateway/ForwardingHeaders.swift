import Foundation
import MoatCore
import MoatHTTP

/// Header rules for forwarding between a client and the upstream.
public enum ForwardingHeaders {
    /// Hop-by-hop fields (RFC 9110 §7.6.1), plus the obsolete `Proxy-Connection`.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authorization", "proxy-authenticate",
    ]

    /// Forwarding fields a client may forge to change what the upstream thinks
    /// of the peer, the scheme, the host or the path.
    static let forwarding: Set<String> = [
        "forwarded", "x-real-ip", "x-original-uri", "x-original-url", "x-rewrite-url", "x-client-ip",
    ]

    /// Returns `name` lower-cased with `_` replaced by `-`, the form in which
    /// many upstream frameworks (CGI, WSGI, Rack) see a field, so that
    /// `X_MS_Client_Principal` and `x-ms-client-principal` compare equal.
    public static func canonicalName(_ name: String) -> String {
        // Written in place, because a temporary byte array per field name was a visible per-request cost.
        name.withUTF8Buffer { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for index in bytes.indices {
                    let byte = bytes[index]
                    switch byte {
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"): buffer[index] = byte | 0x20
                    case UInt8(ascii: "_"): buffer[index] = UInt8(ascii: "-")
                    default: buffer[index] = byte
                    }
                }
                return bytes.count
            }
        }
    }

    /// Whether a client-sent field claims an identity that only the gateway
    /// may assert: App Service's `X-MS-CLIENT-PRINCIPAL*` and `X-MS-TOKEN-*`,
    /// and every `X-Moat-*` field, in any case and with `_` for `-`.
    public static func isIdentityField(_ name: String) -> Bool {
        isIdentityField(canonical: canonicalName(name))
    }

    static func isIdentityField(canonical: String) -> Bool {
        canonical.hasPrefix("x-ms-client-principal") || canonical.hasPrefix("x-ms-token-") || canonical.hasPrefix("x-moat-")
    }

    /// Removes hop-by-hop fields, including those the `Connection` field names.
    public static func removeHopByHop(_ headers: inout HTTPHeaders) {
        let named = hopByHopNames(in: headers)
        headers.removeAll { named.contains(canonicalName($0.name)) }
    }

    /// Returns the canonical names of the hop-by-hop fields of a message
    /// (RFC 9110 §7.6.1): the fixed set plus those its `Connection` field names.
    static func hopByHopNames(in headers: HTTPHeaders) -> Set<String> {
        var named = hopByHop
        // A loop over the fields instead of values(for:), which builds two arrays for every message.
        for (name, value) in headers where HTTPHeaders.namesMatch(name, "Connection") {
            for token in value.utf8.split(separator: UInt8(ascii: ",")) {
                let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
                let trimmed = token.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
                named.insert(canonicalName(String(decoding: trimmed, as: UTF8.self)))
            }
        }
        return named
    }

    /// Whether a field is a forwarding field (`X-Forwarded-*`, `Forwarded`, ...), with `_` variants.
    static func isForwardingField(canonical: String) -> Bool {
        canonical.hasPrefix("x-forwarded-") || forwarding.contains(canonical)
    }
}
