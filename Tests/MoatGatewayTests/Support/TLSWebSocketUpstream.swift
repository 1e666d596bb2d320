import Foundation
import MoatCore
import MoatTestSupport

/// A test CA and server certificates made with the openssl command line in a
/// temporary folder, which ``remove()`` deletes.
struct TestCertificateAuthority {
    let folder: URL
    var caFile: String { folder.appendingPathComponent("ca.pem").path }

    /// Makes a P-256 CA valid for two days.
    static func make() throws -> TestCertificateAuthority {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let authority = TestCertificateAuthority(folder: folder)
        try authority.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=Moat Test CA", "-keyout", authority.path("ca.key"), "-out", authority.caFile,
        ])
        return authority
    }

    /// Issues a server certificate for `subjectAltName` (for example
    /// `IP:127.0.0.1,DNS:localhost`) and returns the certificate and key paths.
    func issue(name: String, subjectAltName: String) throws -> (certificate: String, key: String) {
        let certificate = path("\(name).pem")
        let key = path("\(name).key")
        let extensions = path("\(name).ext")
        try "subjectAltName=\(subjectAltName)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(name)",
            "-keyout", key, "-out", path("\(name).csr"),
        ])
        try openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
            "-days", "2", "-extfile", extensions, "-out", certificate,
        ])
        return (certificate, key)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func path(_ name: String) -> String {
        folder.appendingPathComponent(name).path
    }

    private func openssl(_ arguments: [String]) throws {
        let process = try ChildProcess(executable: try executablePath("openssl"), arguments: arguments)
        let (_, error) = process.readOutputs()
        guard process.wait() == .exited(0) else {
            throw HarnessFailure("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: error, as: UTF8.self))")
        }
    }
}

/// `scripts/tls_websocket_upstream.py`: an https WebSocket echo server in a
/// child process, on a free loopback port.
final class TLSWebSocketUpstream: @unchecked Sendable {
    // @unchecked: both properties are set once in `init`.
    let process: ChildProcess
    let port: Int

    init(certificate: String, key: String) throws {
        let script = try repositoryRoot().appendingPathComponent("scripts/tls_websocket_upstream.py").path
        process = try ChildProcess(executable: try executablePath("python3"), arguments: [script, certificate, key], error: .discard)
        var line: [UInt8] = []
        while !line.contains(UInt8(ascii: "\n")) {
            let piece = process.standardOutput?.availableData ?? Data()
            guard !piece.isEmpty else { break }
            line += piece
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.send(SIGKILL)
            process.wait()
            throw HarnessFailure("the TLS upstream printed no port")
        }
        self.port = port
    }

    var url: String { "https://127.0.0.1:\(port)" }

    /// Kills the server. SIGKILL, because a child inherits the spawning
    /// thread's signal mask, in which the test runner may block SIGTERM.
    func stop() {
        process.send(SIGKILL)
        process.wait()
    }
}

/// Returns the absolute path of `name` on PATH.
func executablePath(_ name: String) throws -> String {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for folder in folders {
        let candidate = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
    }
    throw HarnessFailure("\(name) is not on PATH")
}

/// Returns the folder that contains Package.swift, searching up from this source file.
func repositoryRoot() throws -> URL {
    var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            return folder
        }
        folder.deleteLastPathComponent()
    }
    throw HarnessFailure("no Package.swift above \(#filePath)")
}
