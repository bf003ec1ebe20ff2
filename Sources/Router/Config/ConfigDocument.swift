import Yams

/// Reads YAML text into a ``ConfigValue`` tree, turning YAML syntax errors into
/// ``ConfigError``s with the file, line and column libyaml reported.
///
/// Anchors and aliases are expanded, up to ``maxNodes`` nodes in all: a file that expands
/// beyond (a "billion laughs") fails at once with the place where it crossed the bound.
enum ConfigDocument {
    /// More nodes than any route table needs, few enough to read in milliseconds.
    static let maxNodes = 20_000

    static func parse(_ yaml: String, file: String, environment: [String: String]) throws(ConfigError) -> ConfigValue {
        let variables = ConfigVariables(values: environment)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw ConfigError(at: ConfigLocation(file: file, line: 1, column: 1), path: "", "cannot read YAML: \(error)")
        }
        guard let root else {
            return ConfigValue(.null, at: ConfigLocation(file: file, line: 1, column: 1), path: "", variables: variables)
        }
        var nodes = 0
        return try convert(root, path: "", file: file, variables: variables, nodes: &nodes)
    }

    private static func convert(
        _ node: Node, path: String, file: String, variables: ConfigVariables, nodes: inout Int
    ) throws(ConfigError) -> ConfigValue {
        let location = ConfigLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        nodes += 1
        guard nodes <= maxNodes else {
            throw ConfigError(
                at: location, path: path, "the document expands to more than \(maxNodes) nodes (aliases of aliases?); a route table needs far fewer")
        }
        switch node {
        case .scalar(let scalar):
            let isNull = scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            return ConfigValue(
                isNull ? .null : .scalar(scalar.string), at: location, path: path, variables: variables, textOffset: quoted ? 1 : 0)
        case .sequence(let sequence):
            var items: [ConfigValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(index)]", file: file, variables: variables, nodes: &nodes))
            }
            return ConfigValue(.sequence(items), at: location, path: path, variables: variables)
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                let keyLocation = ConfigLocation(file: file, line: key.mark?.line ?? location.line, column: key.mark?.column ?? location.column)
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                entries.append(ConfigEntry(
                    key: name, keyLocation: keyLocation, value: try convert(value, path: childPath, file: file, variables: variables, nodes: &nodes)))
            }
            return ConfigValue(.mapping(entries), at: location, path: path, variables: variables)
        case .alias(let alias):
            return ConfigValue(.scalar("*\(alias.anchor)"), at: location, path: path, variables: variables)
        }
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return ConfigError(at: ConfigLocation(file: file, line: mark.line, column: mark.column), path: "", "invalid YAML: \(detail)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ConfigError(
                at: ConfigLocation(file: file, line: context.mark.line, column: context.mark.column), path: "",
                "duplicate key \(keys) in the mapping that starts here; each key may appear once")
        default:
            return ConfigError(at: ConfigLocation(file: file, line: 1, column: 1), path: "", "invalid YAML: \(error)")
        }
    }
}
