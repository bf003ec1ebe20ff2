import Yams

/// Reads YAML text into a ``ConfigValue`` tree, turning YAML syntax errors into
/// ``ConfigError``s with the file, line and column libyaml reported.
enum ConfigDocument {
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
        return convert(root, path: "", file: file, variables: variables)
    }

    private static func convert(_ node: Node, path: String, file: String, variables: ConfigVariables) -> ConfigValue {
        let location = ConfigLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        switch node {
        case .scalar(let scalar):
            let isNull = scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            return ConfigValue(
                isNull ? .null : .scalar(scalar.string), at: location, path: path, variables: variables, textOffset: quoted ? 1 : 0)
        case .sequence(let sequence):
            let items = sequence.enumerated().map { index, item in
                convert(item, path: "\(path)[\(index)]", file: file, variables: variables)
            }
            return ConfigValue(.sequence(items), at: location, path: path, variables: variables)
        case .mapping(let mapping):
            let entries = mapping.map { key, value in
                let name = key.string ?? "\(key)"
                let keyLocation = ConfigLocation(file: file, line: key.mark?.line ?? location.line, column: key.mark?.column ?? location.column)
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                return ConfigEntry(key: name, keyLocation: keyLocation, value: convert(value, path: childPath, file: file, variables: variables))
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
