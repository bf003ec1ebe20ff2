/// Reads YAML text into a ``ConfigValue`` tree with ``YAMLReader``, turning YAML syntax
/// errors into ``ConfigError``s with the file, line and column.
///
/// The reader refuses anchors and aliases, so a document has no more nodes than its text
/// shows (no "billion laughs").
enum ConfigDocument {
    static func parse(_ yaml: String, file: String, environment: [String: String]) throws(ConfigError) -> ConfigValue {
        let variables = ConfigVariables(values: environment)
        let root: YAMLNode?
        do {
            root = try YAMLReader.read(yaml)
        } catch {
            throw ConfigError(at: ConfigLocation(file: file, line: error.line, column: error.column), path: "", "invalid YAML: \(error.message)")
        }
        guard let root else {
            return ConfigValue(.null, at: ConfigLocation(file: file, line: 1, column: 1), path: "", variables: variables)
        }
        return convert(root, path: "", file: file, variables: variables)
    }

    private static func convert(_ node: YAMLNode, path: String, file: String, variables: ConfigVariables) -> ConfigValue {
        let location = ConfigLocation(file: file, line: node.line, column: node.column)
        switch node.content {
        case .scalar(let text, let quoted):
            let isNull = !quoted && ["", "~", "null", "Null", "NULL"].contains(text)
            return ConfigValue(isNull ? .null : .scalar(text), at: location, path: path, variables: variables, textOffset: quoted ? 1 : 0)
        case .sequence(let items):
            let values = items.enumerated().map { index, item in convert(item, path: "\(path)[\(index)]", file: file, variables: variables) }
            return ConfigValue(.sequence(values), at: location, path: path, variables: variables)
        case .mapping(let pairs):
            let entries = pairs.map { key, value in
                ConfigEntry(
                    key: key.text, keyLocation: ConfigLocation(file: file, line: key.line, column: key.column),
                    value: convert(value, path: path.isEmpty ? key.text : "\(path).\(key.text)", file: file, variables: variables))
            }
            return ConfigValue(.mapping(entries), at: location, path: path, variables: variables)
        }
    }
}
