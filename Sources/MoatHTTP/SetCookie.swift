/// A `Set-Cookie` field value (RFC 6265 §4.1), secure by default.
///
/// The cookie never gets a `Domain` attribute, so browsers send it back only
/// to the host that set it. Defaults: `Path=/`, `Secure`, `HttpOnly`,
/// `SameSite=Lax`, and no `Max-Age` (a session cookie).
public struct SetCookie: Sendable {
    /// The `SameSite` attribute (RFC 6265bis §4.1.2.7).
    public enum SameSite: String, Sendable {
        case strict = "Strict", lax = "Lax", none = "None"
    }

    public var name: String
    public var value: String
    public var path: String = "/"
    /// Lifetime in seconds. 0 makes the browser delete the cookie now, and
    /// nil makes it a session cookie.
    public var maxAge: Int?
    public var secure: Bool = true
    public var httpOnly: Bool = true
    public var sameSite: SameSite = .lax

    /// Creates a cookie after checking it with ``validate(name:value:path:maxAge:secure:sameSite:)``.
    ///
    /// - Precondition: The cookie is valid. Names and values are expected
    ///   to come from the program (session ids, CSRF tokens), so an invalid
    ///   one is a programming error. Check any other input with `validate` first.
    public init(
        name: String,
        value: String,
        path: String = "/",
        maxAge: Int? = nil,
        secure: Bool = true,
        httpOnly: Bool = true,
        sameSite: SameSite = .lax
    ) {
        self.name = name
        self.value = value
        self.path = path
        self.maxAge = maxAge
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        requireValid()
    }

    /// Checks a cookie against RFC 6265 §4.1.1 and the rules browsers enforce:
    ///
    /// 1. The name is a non-empty token.
    /// 2. The value is cookie-octets, optionally inside one pair of double quotes.
    /// 3. The path starts with `/` and contains no control character or `;`.
    /// 4. `maxAge`, when set, is not negative.
    /// 5. `SameSite=None` requires `Secure`.
    /// 6. The `__Secure-` prefix requires `Secure`, and `__Host-` also `Path=/`
    ///    (RFC 6265bis §4.1.3).
    public static func validate(
        name: String,
        value: String,
        path: String = "/",
        maxAge: Int? = nil,
        secure: Bool = true,
        sameSite: SameSite = .lax
    ) -> HeaderFieldVerdict {
        guard !name.isEmpty, name.utf8.allSatisfy(HTTPHeaders.isTokenByte) else {
            return .invalid(reason: "cookie name \(name.debugDescription) is not an RFC 9110 token")
        }
        // Checked on UTF-8 bytes: String index arithmetic was a visible cost on every renewed session.
        var octets = value.utf8[...]
        if octets.count >= 2, octets.first == UInt8(ascii: "\""), octets.last == UInt8(ascii: "\"") {
            octets = octets.dropFirst().dropLast()
        }
        guard octets.allSatisfy(isCookieOctet) else {
            return .invalid(reason: "value of cookie \(name) contains a byte outside RFC 6265 cookie-octet")
        }
        guard path.utf8.first == UInt8(ascii: "/"), path.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: ";") }) else {
            return .invalid(reason: "path of cookie \(name) must start with \"/\" and contain no control character or \";\"")
        }
        if let maxAge, maxAge < 0 {
            return .invalid(reason: "Max-Age of cookie \(name) is negative; use 0 to delete it")
        }
        if sameSite == .none && !secure {
            return .invalid(reason: "cookie \(name) has SameSite=None without Secure, which browsers reject")
        }
        if name.utf8.starts(with: "__Secure-".utf8) && !secure {
            return .invalid(reason: "cookie \(name) has the __Secure- prefix and must be Secure")
        }
        if name.utf8.starts(with: "__Host-".utf8) && (!secure || path != "/") {
            return .invalid(reason: "cookie \(name) has the __Host- prefix and must be Secure with Path=/")
        }
        return .valid
    }

    /// The field value, for example `sid=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax`.
    ///
    /// - Precondition: The cookie is still valid; the properties are checked
    ///   again here because they may have been changed since `init`.
    public var headerValue: String {
        requireValid()
        var field: [UInt8] = []
        field.reserveCapacity(name.utf8.count + value.utf8.count + path.utf8.count + 64)
        field += name.utf8
        field.append(UInt8(ascii: "="))
        field += value.utf8
        field += "; Path=".utf8
        field += path.utf8
        if let maxAge {
            field += "; Max-Age=".utf8
            field += String(maxAge).utf8
        }
        if secure {
            field += "; Secure".utf8
        }
        if httpOnly {
            field += "; HttpOnly".utf8
        }
        field += "; SameSite=".utf8
        field += sameSite.rawValue.utf8
        return String(decoding: field, as: UTF8.self)
    }

    private func requireValid() {
        let verdict = Self.validate(name: name, value: value, path: path, maxAge: maxAge, secure: secure, sameSite: sameSite)
        if case .invalid(let reason) = verdict {
            preconditionFailure("invalid cookie: \(reason)")
        }
    }

    /// cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (RFC 6265 §4.1.1),
    /// which excludes space, `"`, `,`, `;` and `\`.
    private static func isCookieOctet(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x2B, 0x2D...0x3A, 0x3C...0x5B, 0x5D...0x7E: true
        default: false
        }
    }
}
