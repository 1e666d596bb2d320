import Foundation
import MoatCrypto
import MoatDevIdP
import MoatIdentity
import MoatJOSE
import MoatJSON

/// The demo directory that `moat up` ships, plus a public client registered
/// with the redirect URI `https://app.example/cb`.
enum TestDirectory {
    static let publicClientID = "5f0e6d1c-8f0a-4c6e-9d54-2b1d7f3c9a10"
    static let publicRedirectURI = "https://app.example/cb"

    static let publicClientTOML = """

        [[apps]]
        name = "test-spa"
        client_id = "\(publicClientID)"
        object_id = "0c7d1f2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
        redirect_uris = ["\(publicRedirectURI)"]
        post_logout_redirect_uris = ["https://app.example/signed-out"]

        """

    /// Finds the package root: the nearest folder above `file` that contains Package.swift.
    static func packageRoot(from file: String = #filePath) -> URL {
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(file)")
    }

    static func demoText() throws -> String {
        let url = packageRoot().appendingPathComponent("Sources/MoatLauncher/Demo/directory.toml")
        return try String(contentsOf: url, encoding: .utf8)
    }

    static let directory: Result<Directory, any Error> = Result {
        try Directory.parse(demoText() + publicClientTOML + Credentials.toml())
    }

    /// The test directory with a group overage limit of 3, so erin (4 groups) gets overage claims.
    static let overageDirectory: Result<Directory, any Error> = Result {
        let text = try demoText().replacingOccurrences(
            of: #"name = "Fabrikam Robotics (demo)""#, with: "name = \"Fabrikam Robotics (demo)\"\ngroup_overage_limit = 3")
        return try Directory.parse(text + publicClientTOML + Credentials.toml())
    }

    /// Applications that authenticate with signed client assertions, and their private keys.
    enum Credentials {
        static let certificateClientID = "7d1b2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
        static let keyClientID = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"
        /// An API that moat-api calls on behalf of users.
        static let downstreamClientID = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
        /// Signed in tests with the harness clock at 1 800 000 000 (2027), inside the validity period.
        static let certificateKey = Result { try PrivateKey.generateRSA(bits: 2048) }
        static let certificate = Result {
            try X509Certificate.selfSigned(
                privateKey: certificateKey.get(), commonName: "cert-client",
                notBefore: Date(timeIntervalSince1970: 1_700_000_000), notAfter: Date(timeIntervalSince1970: 1_900_000_000))
        }
        static let ecKey = Result { try PrivateKey.generateEC(curve: .p256) }

        static func toml() throws -> String {
            let jwk = try JSONWebKey(publicKey: ecKey.get().publicKey, keyID: "key-client-1", algorithm: .es256)
            let jwkText = String(decoding: JSONValue.object(jwk.jsonObject()).serialized(), as: UTF8.self)
            return """

                [[apps]]
                name = "cert-client"
                client_id = "\(certificateClientID)"
                object_id = "8f9e0d1c-2b3a-4c5d-9e6f-7a8b9c0d1e2f"

                [[apps.credentials]]
                certificate = \"\"\"
                \(try certificate.get().pemEncoded)\"\"\"

                [[apps]]
                name = "key-client"
                client_id = "\(keyClientID)"
                object_id = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"

                [[apps.credentials]]
                jwk = '\(jwkText)'

                [[apps]]
                name = "downstream-api"
                client_id = "\(downstreamClientID)"
                object_id = "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a"
                identifier_uri = "api://downstream"
                scopes = ["Files.Read"]

                [[assignments]]
                app = "moat-api"
                role = "Audit.Read.All"
                principal = "app:cert-client"

                """
        }
    }

    /// One RS256 key per test process, because RSA generation is slow.
    static let signer: Result<JWTSigner, any Error> = Result {
        try SigningKeyStore.signer(for: PrivateKey.generateRSA(bits: 2048))
    }
}
