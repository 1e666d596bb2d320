import Foundation
import MoatCore
import MoatHTTP

/// Header rules for forwarding between a client and the upstream.
public enum ForwardingHeaders {
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
        let hopByHop = HopByHopFields(in: headers)
        headers.removeAll { hopByHop.contains(canonical: canonicalName($0.name)) }
    }

    /// Returns whether a field is a forwarding field (`X-Forwarded-*`, `Forwarded`, ...), with `_` variants.
    static func isForwardingField(canonical: String) -> Bool {
        canonical.hasPrefix("x-forwarded-") || forwarding.contains(canonical)
    }
}

/// The hop-by-hop fields of one message (RFC 9110 §7.6.1): a fixed set, which
/// includes the obsolete `Proxy-Connection`, and the fields that its `Connection` field names.
///
/// The names from `Connection` go into a short list. A copy of a fixed
/// `Set<String>` with them added allocated and rehashed on every response,
/// because upstreams send `Connection: keep-alive`.
struct HopByHopFields {
    /// Canonical names from `Connection` that are not in the fixed set, in order of appearance.
    private var named: [String] = []

    init(in headers: HTTPHeaders) {
        // A loop over the fields instead of values(for:), which builds two arrays for every message.
        for (name, value) in headers where HTTPHeaders.namesMatch(name, "Connection") {
            value.withUTF8Buffer { bytes in
                bytes.forEachSegment(separatedBy: UInt8(ascii: ",")) { add($0.trimmingSpacesAndTabs()) }
            }
        }
    }

    /// Adds one `Connection` list element (RFC 9110 §7.6.1), already trimmed.
    private mutating func add(_ element: Slice<UnsafeBufferPointer<UInt8>>) {
        guard !element.isEmpty else { return }
        let canonical = ForwardingHeaders.canonicalName(String(decoding: element, as: UTF8.self))
        if !Self.isFixed(canonical), !named.contains(canonical) {
            named.append(canonical)
        }
    }

    /// Returns whether the field with this canonical name (``ForwardingHeaders/canonicalName(_:)``) is hop-by-hop.
    func contains(canonical: String) -> Bool {
        Self.isFixed(canonical) || (!named.isEmpty && named.contains(canonical))
    }

    private static func isFixed(_ canonical: String) -> Bool {
        switch canonical {
        case "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "proxy-authorization", "proxy-authenticate":
            true
        default:
            false
        }
    }
}
