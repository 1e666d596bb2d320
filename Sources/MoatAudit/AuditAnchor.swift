import Foundation
import MoatJSON

/// A file of checkpoints copied out of the writer's reach, one JSON line each
/// (``SignedAuditCheckpoint/anchorLine``). The writer appends every checkpoint
/// to it when ``AuditLogOptions/anchorPath`` is set; put it on another
/// filesystem or host, or ship each line to a log service as it is written.
public enum AuditAnchor {
    /// Reads every checkpoint in the anchor file at `path`.
    ///
    /// A last line without a line feed that does not parse is skipped and named
    /// in the returned notes, because a crash while appending leaves exactly that.
    ///
    /// - Throws: ``AuditError`` `anchor_invalid` naming the file and line when the file is
    ///   unreadable or a complete line is not a checkpoint.
    public static func load(path: String) throws -> (checkpoints: [SignedAuditCheckpoint], notes: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError(code: "anchor_invalid", "cannot read the anchor file \(path); check the path")
        }
        let endsWithNewline = data.last == 0x0A
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var checkpoints: [SignedAuditCheckpoint] = []
        var notes: [String] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let isUnterminatedLast = index == lines.count - 1 && !endsWithNewline
            switch parse(Data(line)) {
            case .success(let checkpoint):
                checkpoints.append(checkpoint)
            case .failure(let reason) where isUnterminatedLast:
                notes.append("the anchor file's last line is incomplete and was skipped (\(reason))")
            case .failure(let reason):
                throw AuditError(code: "anchor_invalid", "line \(index + 1) of the anchor file \(path) is not a checkpoint: \(reason)")
            }
        }
        return (checkpoints, notes)
    }

    static func parse(_ line: Data) -> Result<SignedAuditCheckpoint, AnchorLineError> {
        guard let json = try? JSONValue.parse(line, limits: JSONLimits(maxDepth: 4, maxBytes: 64 * 1024)),
              let body = json["body"]?.stringValue, let signature = json["signature"]?.stringValue
        else {
            return .failure(AnchorLineError(reason: "expected a JSON object with string members \"body\" and \"signature\""))
        }
        switch AuditCheckpoint.parse(body: body) {
        case .success(let checkpoint):
            return .success(SignedAuditCheckpoint(checkpoint: checkpoint, body: body, signature: signature))
        case .failure(let error):
            return .failure(AnchorLineError(reason: error.reason))
        }
    }
}

struct AnchorLineError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
