import Foundation
import MoatConfig
import MoatCore
import MoatHTTP

extension Commands {
    /// `moat gateway`: starts the gateway (and the dev identity provider when
    /// no issuer is configured) and blocks until SIGINT or SIGTERM.
    public static func gateway(_ configuration: MoatConfiguration, logger: Logger) async throws {
        let stack = try await GatewayStack.start(configuration, logger: logger)
        var lines = [
            "",
            "Moat gateway is running.",
            "  Gateway:   \(stack.gatewayURL)/  ->  \(stack.upstream)",
            "  Sign-in:   \(stack.gatewayURL)/.auth/login/\(configuration.gateway.provider)",
            "  Keys:      \(stack.gatewayURL)/.auth/keys",
        ]
        if let idpURL = stack.idpURL {
            lines.append("  Dev IdP:   \(idpURL) (demo sign-ins, password moat-demo: \(stack.directory?.users.map(\.name).joined(separator: ", ") ?? ""))")
        } else {
            lines.append("  Issuer:    \(stack.issuer)")
        }
        lines += ["", "Press Ctrl+C to stop.", "", ""]
        FileHandle.standardOutput.write(Data(lines.joined(separator: "\n").utf8))
        let signal = await TerminationSignal.wait()
        logger.info("stopping", metadata: ["moat.signal": "\(signal)"])
        await stack.stop()
        logger.info("stopped")
    }
}
