import Foundation
import MoatCrypto
import MoatJOSE

/// Cookie values sealed with AES-256-GCM. The cookie name is the associated
/// data, so a value cannot be moved from one cookie to another.
struct SealedCookie: Sendable {
    let key: Data

    func seal(_ plaintext: Data, name: String) throws -> String {
        Base64URL.encode(try AESGCM.seal(plaintext, key: key, associatedData: Data(name.utf8)))
    }

    /// Returns nil for anything that was not sealed by this key for this cookie name.
    func open(_ value: String, name: String) -> Data? {
        guard let sealed = try? Base64URL.decode(value) else { return nil }
        return try? AESGCM.open(sealed, key: key, associatedData: Data(name.utf8))
    }
}
