import Foundation
import MoatConfig
import MoatCore
import MoatLauncher

// The `moat` command: argument parsing only. Precedence, lowest first:
// built-in defaults, the --config file, MOAT_* environment variables, flags.

let usage = """
    usage: moat <command> [options]

    commands:
      up [--config FILE] [--data DIR] [--corpus DIR --manifest FILE] [--pattern 1|2|3]
                          start the dev IdP, api and web on localhost; pattern 3 (default):
                          web then api; 1: gateway then web and api in one process;
                          2: gateway, then web, then api with the web tier's app identity
      gateway [--config FILE] [--data DIR] [--upstream URL]
                          put sign-in in front of the app at URL (gateway.upstream), with
                          the dev IdP unless gateway.issuer is set
      ingest PATH --manifest FILE [--config FILE] [--data DIR]
                          add or replace the documents under PATH; all or nothing
      audit verify [--config FILE] [--data DIR | --file AUDIT.sqlite]
                          check the audit log's hash chain; exit 1 on the first broken record
      help                show this text

    """

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("moat: \(message)\n".utf8))
    exit(code)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(2)
}
arguments.removeFirst()

let options: ParsedOptions
do {
    let allowed: Set<String> = switch command {
    case "audit": ["config", "data", "file"]
    case "gateway": ["config", "data", "upstream"]
    default: ["config", "data", "corpus", "manifest", "pattern"]
    }
    options = try ParsedOptions.parse(arguments, allowed: allowed)
} catch {
    fail("\(error)\n\n\(usage)")
}

@MainActor
func loadConfiguration() -> MoatConfiguration {
    do {
        var configuration = try MoatConfiguration.load(path: options.values["config"])
        if let data = options.values["data"] { configuration.dataDirectory = data }
        if let corpus = options.values["corpus"] { configuration.corpus.path = corpus }
        if let manifest = options.values["manifest"], command == "up" { configuration.corpus.manifest = manifest }
        if let upstream = options.values["upstream"] { configuration.gateway.upstream = upstream }
        return configuration
    } catch {
        fail("\(error)")
    }
}

func makeLogger(_ configuration: MoatConfiguration) -> Logger {
    Logger(label: "moat", level: Logger.Level(name: configuration.logLevel) ?? .info, handler: StandardErrorLogHandler())
}

switch command {
case "up":
    let configuration = loadConfiguration()
    if (configuration.corpus.path == nil) != (configuration.corpus.manifest == nil) {
        fail("--corpus and --manifest go together; pass both or neither")
    }
    let pattern = options.values["pattern"] ?? "3"
    guard let patternNumber = Int(pattern), (1...3).contains(patternNumber) else {
        fail("--pattern must be 1, 2 or 3; got \(pattern)")
    }
    do {
        if patternNumber == 3 {
            try await Commands.up(configuration, logger: makeLogger(configuration))
        } else {
            try await Commands.up(configuration, pattern: patternNumber, logger: makeLogger(configuration))
        }
    } catch {
        fail("\(error)", code: 1)
    }

case "gateway":
    let configuration = loadConfiguration()
    do {
        try await Commands.gateway(configuration, logger: makeLogger(configuration))
    } catch {
        fail("\(error)", code: 1)
    }

case "ingest":
    guard let folder = options.positional.first else { fail("ingest needs a folder: moat ingest PATH --manifest FILE") }
    guard let manifest = options.values["manifest"] else { fail("ingest needs --manifest FILE") }
    let configuration = loadConfiguration()
    do {
        let results = try Commands.ingest(folder: folder, manifest: manifest, configuration: configuration, logger: makeLogger(configuration))
        for result in results {
            print("\(result.outcome)\t\(result.chunkCount) chunks\t\(result.path)")
        }
        print("\(results.count) documents ingested into \(configuration.dataDirectory)")
    } catch {
        fail("\(error)", code: 1)
    }

case "audit":
    guard options.positional.first == "verify" else { fail("unknown audit command; use: moat audit verify") }
    let configuration = loadConfiguration()
    let file = options.values["file"] ?? URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("audit.sqlite").path
    do {
        let verification = try Commands.verifyAudit(file: file)
        if let problem = verification.firstProblem {
            print("audit log BROKEN: \(problem) (\(verification.recordCount) records read)")
            exit(1)
        }
        print("audit log intact: \(verification.recordCount) records, head hash \(verification.headHash)")
    } catch {
        fail("\(error)", code: 1)
    }

case "help", "--help", "-h":
    print(usage)

default:
    fail("unknown command \"\(command)\"\n\n\(usage)")
}
