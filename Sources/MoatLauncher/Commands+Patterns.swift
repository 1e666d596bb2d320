import Foundation
import MoatConfig
import MoatCore
import MoatHTTP

extension Commands {
    /// `moat up --pattern 1` or `--pattern 2`: starts the pattern and blocks until SIGINT or SIGTERM.
    public static func up(_ configuration: MoatConfiguration, pattern: Int, logger: Logger) async throws {
        let stack = try await PatternStack.start(configuration, pattern: pattern, logger: logger)
        let topology = pattern == 1
            ? "pattern 1: gateway, then web and api in one process"
            : "pattern 2: gateway, then web, then api with the web tier's app identity"
        var lines = [
            "",
            "Moat is running (\(topology)).",
            "  Chat (gateway): \(stack.gatewayURL)/",
            "  Web tier:       \(stack.webURL) (reachable only through the gateway's signed assertion)",
        ]
        if let apiURL = stack.apiURL {
            lines.append("  API:            \(apiURL)/v1/app/chat")
        }
        lines += [
            "  Dev IdP:        \(stack.issuer)/.well-known/openid-configuration",
            "  Documents:      \(stack.ingested.count) ingested",
            "",
            "Demo sign-ins (password: moat-demo): \(stack.directory.users.map(\.name).joined(separator: ", "))",
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
