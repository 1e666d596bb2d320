import Foundation
import MoatConfig
import MoatCore
import MoatLauncher

// The `moat` command: argument parsing only. Precedence, lowest first:
// built-in defaults, the --config file, MOAT_* environment variables, flags.

/// One entry per command form: the command names it documents and its lines.
let commandUsages: [(commands: [String], text: String)] = [
    (["up"], """
        up [--config FILE] [--data DIR] [--corpus DIR --manifest FILE] [--pattern 1|2|3]
                            start the dev IdP, api and web on localhost; pattern 3 (default):
                            web then api; 1: gateway then web and api in one process;
                            2: gateway, then web, then api with the web tier's app identity
        """),
    (["gateway"], """
        gateway [--config FILE] [--data DIR] [--upstream URL]
                            put sign-in in front of the app at URL (gateway.upstream), with
                            the dev IdP unless gateway.issuer is set; ports: MOAT_GATEWAY_PORT
                            (8000) and MOAT_IDP_PORT (8082); every setting: docs/gateway.md
        """),
    (["idp", "api", "web"], """
        idp | api | web [--config FILE] [--data DIR] [--pattern 2|3]
                            run one component alone (the same configuration as `up`);
                            --pattern 2: web behind web.front_door calling the api's app route
        """),
    (["idp"], """
        idp rotate-key [--config FILE] [--data DIR]
                            replace the dev IdP's signing key; a running `moat idp` on the
                            same data folder publishes the new key within seconds, signs with
                            it 60 seconds later, and keeps publishing the old one for the
                            token lifetime plus 5 minutes after that
        """),
    (["ingest"], """
        ingest PATH --manifest FILE [--prune true] [--config FILE] [--data DIR]
                            add or replace the documents under PATH; all or nothing;
                            --prune true also removes stored documents missing from PATH
        """),
    (["audit"], """
        audit verify [--from SEQ] [--to SEQ] [--key PUBLIC.pem] [--anchor FILE]
                            check records, signed checkpoints and the tail; exit 1 on a problem
        """),
    (["audit"], """
        audit search [--user U] [--action A] [--decision allow|deny|error]
                     [--since TIME] [--until TIME] [--limit N]
                            list matching records, newest first (N up to 500, default 50)
        """),
    (["audit"], """
        audit export --format jsonl|cef [--output FILE] [search filters]
                            stream matching records, oldest first, for a SIEM
        """),
    (["audit"], """
        audit export-key [--output FILE]
                            write the public key that verifies audit checkpoints (PEM)
        """),
    (["audit"], """
        audit prune --older-than DAYS
                            delete older records behind a signed truncation checkpoint
                            (every audit command takes --config FILE and --data DIR or --file AUDIT.sqlite)
        """),
    (["token"], """
        token --user NAME [--password PASSWORD] [--tenant ID] | --app NAME [--config FILE]
                            print an access token for the api from the running dev IdP at
                            idp.port (MOAT_IDP_PORT, 8082); development only; the demo
                            password is moat-demo;
                            --tenant signs in at that tenant's endpoints, for users
                            of a tenant other than the directory's home tenant
        """),
    (["guard"], """
        guard scan FILE|- [--config FILE]
                            scan a prompt with the input guardrail and the [guardrails] tuning;
                            verdicts as JSON lines, exit 3 when it would be blocked
        """),
    (["guard"], """
        guard eval DATASET...
                            precision, recall, F1, FPR and latency on labelled JSON Lines sets
        """),
    (["guard"], """
        guard bench PROMPTS.jsonl
                            microseconds per prompt and scans per second of the input guard
        """),
    (["help"], """
        help                show this text
        """),
]

/// Returns the usage text for `command`, or for every command when nil or unknown.
func usageText(for command: String? = nil) -> String {
    let matching = commandUsages.filter { command.map($0.commands.contains) ?? false }
    let selected = matching.isEmpty ? commandUsages : matching
    let body = selected.map { $0.text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n") }
    return "usage: moat <command> [options]\n\ncommands:\n" + body.joined(separator: "\n") + "\n"
}

let usage = usageText()

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

if arguments.contains("--help") || arguments.contains("-h") {
    print(usageText(for: command))
    exit(0)
}

let allowedOptions: Set<String> = switch command {
case "audit": AuditArguments.options
case "token": ["config", "user", "password", "app", "tenant"]
case "gateway": ["config", "data", "upstream"]
case "ingest": ["config", "data", "manifest", "prune"]
default: ["config", "data", "corpus", "manifest", "pattern"]
}
let options: ParsedOptions
do {
    options = try ParsedOptions.parse(arguments, allowed: allowedOptions)
} catch {
    fail("\(error)\n\n\(usageText(for: command))")
}

@MainActor
func loadConfiguration() -> MoatConfiguration {
    do {
        var configuration = try MoatConfiguration.load(path: options.values["config"])
        if let data = options.values["data"] { configuration.dataDirectory = data }
        if let corpus = options.values["corpus"] { configuration.corpus.path = corpus }
        if let manifest = options.values["manifest"], command == "up" { configuration.corpus.manifest = manifest }
        if let upstream = options.values["upstream"] {
            configuration.gateway.upstream = upstream
            // The option gets the checks that the file and the environment get.
            try configuration.gateway.validate()
        }
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
    if configuration.gateway.upstream == nil {
        // A configuration error like the other setting checks, hence exit code 2.
        fail("the gateway needs an upstream; set gateway.upstream (MOAT_GATEWAY_UPSTREAM) or pass --upstream URL")
    }
    do {
        try await Commands.gateway(configuration, logger: makeLogger(configuration))
    } catch let error as ConfigurationError {
        // Settings that only make sense together are checked at start, and are configuration errors too.
        fail("\(error)")
    } catch {
        fail("\(error)", code: 1)
    }

case "idp" where options.positional == ["rotate-key"]:
    let configuration = loadConfiguration()
    do {
        let (previous, current) = try KeyRotationCommand.run(configuration)
        print("signing key rotated: kid \(previous) replaced by \(current)")
    } catch {
        fail("\(error)", code: 1)
    }

case "idp", "api", "web":
    guard options.positional.isEmpty else { fail("unknown argument \(options.positional[0]) for \(command)\n\n\(usageText(for: command))") }
    let configuration = loadConfiguration()
    let pattern = options.values["pattern"] ?? "3"
    guard let patternNumber = Int(pattern), (2...3).contains(patternNumber) else {
        fail("--pattern must be 2 or 3 for \(command); pattern 1 runs web and api in one process: moat up --pattern 1")
    }
    do {
        try await ComponentCommand.run(
            ComponentCommand.Component(rawValue: command)!, pattern: patternNumber, configuration: configuration, logger: makeLogger(configuration))
    } catch {
        fail("\(error)", code: 1)
    }

case "ingest":
    guard let folder = options.positional.first else { fail("ingest needs a folder: moat ingest PATH --manifest FILE") }
    guard let manifest = options.values["manifest"] else { fail("ingest needs --manifest FILE") }
    let configuration = loadConfiguration()
    do {
        let prune: Bool
        switch options.values["prune"] {
        case nil, "false": prune = false
        case "true": prune = true
        case let other?: fail("--prune takes true or false, not \(other)")
        }
        let results = try Commands.ingest(folder: folder, manifest: manifest, prune: prune, configuration: configuration, logger: makeLogger(configuration))
        for result in results {
            print("\(result.outcome)\t\(result.chunkCount) chunks\t\(result.path)")
        }
        print("\(results.count) documents ingested into \(configuration.dataDirectory)")
    } catch {
        fail("\(error)", code: 1)
    }

case "audit":
    let configuration = loadConfiguration()
    do {
        exit(try AuditArguments.run(options, configuration: configuration, logger: makeLogger(configuration)))
    } catch let error as ParsedOptions.Invalid {
        fail("\(error)\n\n\(usageText(for: command))")
    } catch {
        fail("\(error)", code: 1)
    }

case "token":
    let configuration = loadConfiguration()
    let subject: TokenCommand.Subject
    switch (options.values["user"], options.values["app"]) {
    case (let user?, nil): subject = .user(name: user, password: options.values["password"] ?? "moat-demo")
    case (nil, let app?): subject = .app(name: app)
    default: fail("token needs exactly one of --user NAME or --app NAME")
    }
    do {
        let tokens = try await TokenCommand.run(subject, configuration: configuration, tenant: options.values["tenant"])
        print(tokens.accessToken)
    } catch {
        fail("\(error)", code: 1)
    }

case "guard":
    do {
        switch options.positional.first {
        case "scan" where options.positional.count == 2:
            // Exit status 3 tells scripts the input guardrail would block the text.
            let (output, blocked) = try GuardCommands.scan(path: options.positional[1], configuration: loadConfiguration())
            print(output, terminator: "")
            if blocked { exit(3) }
        case "eval":
            print(try GuardCommands.eval(paths: Array(options.positional.dropFirst())), terminator: "")
        case "bench" where options.positional.count == 2:
            print(try GuardCommands.bench(path: options.positional[1]), terminator: "")
        default:
            fail("usage: moat guard scan FILE|-, moat guard eval DATASET... or moat guard bench PROMPTS.jsonl")
        }
    } catch {
        fail("\(error)", code: 1)
    }

case "help", "--help", "-h":
    print(usage)

default:
    fail("unknown command \"\(command)\"\n\n\(usage)")
}
