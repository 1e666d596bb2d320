import Foundation
import MoatCrypto
import MoatDevIdP
import MoatJOSE

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
        try Directory.parse(demoText() + publicClientTOML)
    }

    /// One RS256 key per test process, because RSA generation is slow.
    static let signer: Result<JWTSigner, any Error> = Result {
        try SigningKeyStore.signer(for: PrivateKey.generateRSA(bits: 2048))
    }
}
