/// `--name value` options and positional arguments.
struct ParsedOptions {
    var values: [String: String] = [:]
    var positional: [String] = []

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ arguments: [String], allowed: Set<String>) throws -> ParsedOptions {
        var options = ParsedOptions()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                var name = String(argument.dropFirst(2))
                var value: String?
                if let equals = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                guard allowed.contains(name) else {
                    throw Invalid(description: "unknown option --\(name)")
                }
                if value == nil {
                    index += 1
                    guard index < arguments.count else { throw Invalid(description: "--\(name) needs a value") }
                    value = arguments[index]
                }
                guard options.values[name] == nil else { throw Invalid(description: "--\(name) is given twice") }
                options.values[name] = value
            } else {
                options.positional.append(argument)
            }
            index += 1
        }
        return options
    }
}
