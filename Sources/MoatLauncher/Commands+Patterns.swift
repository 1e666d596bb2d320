import Foundation
import MoatConfig
import MoatCore

extension Commands {
    /// `moat up --pattern 1` or `--pattern 2`.
    public static func up(_ configuration: MoatConfiguration, pattern: Int, logger: Logger) async throws {
        throw LaunchError("pattern \(pattern) is not available yet")
    }
}
