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
        // The upstream may start after the gateway, so an unreachable one is a warning, not an error.
        if let reason = TCPProbe.failureReason(connectingTo: stack.upstream) {
            logger.warning("upstream not reachable at start", metadata: ["moat.upstream": stack.upstream, "moat.error": reason])
            lines.append("  Warning:   nothing answers at \(stack.upstream) yet (\(reason)); requests get 502 until it does")
        }
        lines += ["", "Press Ctrl+C to stop.", "", ""]
        FileHandle.standardOutput.write(Data(lines.joined(separator: "\n").utf8))
        let signal = await TerminationSignal.wait()
        logger.info("stopping", metadata: ["moat.signal": "\(signal)"])
        await stack.stop()
        logger.info("stopped")
    }
}
