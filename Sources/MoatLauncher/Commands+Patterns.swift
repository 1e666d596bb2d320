import Foundation
import MoatConfig
import MoatCore
import MoatHTTP

extension Commands {
    /// `moat up --pattern 1` or `--pattern 2`: starts the pattern and blocks until SIGINT or SIGTERM.
    public static func up(_ configuration: MoatConfiguration, pattern: Int, logger: Logger) async throws {
        let stack = try await PatternStack.start(configuration, pattern: pattern, logger: logger)
        let topology = pattern == 1
            ? "pattern 1: front door, then web and api in one process"
            : "pattern 2: front door, then web, then api with the web tier's app identity"
        var lines = ["", "Moat is running (\(topology)).", "  Chat:           \(stack.gatewayURL)/"]
        if stack.frontDoor == "app-service" {
            lines.append("  Web tier:       \(stack.webURL) (requires the tokens App Service authentication forwards)")
        } else {
            lines.append("  Web tier:       \(stack.webURL) (reachable only through the gateway's signed assertion)")
        }
        if let apiURL = stack.apiURL {
            lines.append("  API:            \(apiURL)/v1/app/chat")
        }
        lines += [
            "  Issuer:         \(stack.issuer)/.well-known/openid-configuration",
            "  Documents:      \(stack.ingested.count) ingested",
            "",
            stack.idpURL == nil ? "Users sign in at \(stack.issuer)." : "Demo sign-ins (password: moat-demo): \(stack.directory.users.map(\.name).joined(separator: ", "))",
            "",
            "Press Ctrl+C to stop.",
            "",
            "",
        ]
        FileHandle.standardOutput.write(Data(lines.joined(separator: "\n").utf8))
        let signal = await TerminationSignal.wait()
        logger.info("stopping", metadata: ["moat.signal": "\(signal)"])
        await stack.stop()
        logger.info("stopped")
    }
}
