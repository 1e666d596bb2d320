import Foundation
import MoatCrypto
import MoatJSON

/// Signs JWT claim sets as compact JWS with one private key.
public struct JWTSigner: Sendable {
    public let algorithm: JWSAlgorithm
    public let keyID: String
    private let privateKey: PrivateKey

    /// The public half, with the same `kid` and algorithm, for publishing in a JWKS.
    public let publicJWK: JSONWebKey

    /// - Throws: ``JOSEError/Code/keyAlgorithmMismatch`` when `algorithm` does not fit the key.
    public init(privateKey: PrivateKey, algorithm: JWSAlgorithm, keyID: String) throws(JOSEError) {
        self.publicJWK = try JSONWebKey(publicKey: privateKey.publicKey, keyID: keyID, algorithm: algorithm)
        self.privateKey = privateKey
        self.algorithm = algorithm
        self.keyID = keyID
    }

    /// Returns a compact JWS over `claims` with header `alg`, `kid` and, when
    /// `type` is not nil, `typ` (default `JWT`). Claims are written in their
    /// insertion order; the caller sets `iss`, `aud`, `exp` and the rest.
    ///
    /// - Parameter additionalHeader: further header parameters, for example
    ///   `x5t#S256`; they cannot replace `alg`, `kid` or `typ`.
    public func sign(claims: JSONObject, type: String? = "JWT", additionalHeader: JSONObject = [:]) throws(JOSEError) -> String {
        var header: JSONObject = ["alg": .string(algorithm.rawValue), "kid": .string(keyID)]
        if let type { header["typ"] = .string(type) }
        for (name, value) in additionalHeader where header[name] == nil {
            header[name] = value
        }
        let signingInput =
            Base64URL.encode(JSONValue.object(header).serialized()) + "."
            + Base64URL.encode(JSONValue.object(claims).serialized())
        let signature: Data
        do {
            signature = try privateKey.sign(Data(signingInput.utf8), algorithm: algorithm.signatureAlgorithm)
        } catch {
            throw JOSEError(code: .signingFailed, reason: "\(algorithm.rawValue) signing failed: \(error)")
        }
        return signingInput + "." + Base64URL.encode(signature)
    }
}
