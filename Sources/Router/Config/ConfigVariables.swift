import FoundationEssentials

/// The environment that `${VAR}` and `${VAR:-default}` in routes.yaml expand from.
/// `$$` writes a literal `$`. An unset variable without a default is an error naming the
/// variable, the line and the column.
struct ConfigVariables: Sendable {
    let values: [String: String]

    func expand(_ raw: String, at value: ConfigValue) throws(ConfigError) -> String {
        guard raw.contains("$") else { return raw }
        var result = ""
        var index = raw.startIndex
        while index < raw.endIndex {
            let character = raw[index]
            let next = raw.index(after: index)
            guard character == "$", next < raw.endIndex else {
                result.append(character)
                index = next
                continue
            }
            if raw[next] == "$" {
                result.append("$")
                index = raw.index(after: next)
                continue
            }
            guard raw[next] == "{" else {
                result.append(character)
                index = next
                continue
            }
            let column = raw.distance(from: raw.startIndex, to: index)
            guard let close = raw[next...].firstIndex(of: "}") else {
                throw error(at: value, column: column, "unterminated '${' (write $$ for a literal $)")
            }
            let body = raw[raw.index(after: next)..<close]
            let (name, fallback) = split(body)
            guard Self.isValidName(name) else {
                throw error(at: value, column: column, "'${\(body)}' is not a variable reference; expected ${NAME} or ${NAME:-default}")
            }
            if let set = values[name], !(fallback != nil && set.isEmpty) {
                result += set
            } else if let fallback {
                result += fallback
            } else {
                throw error(at: value, column: column, "environment variable \(name) is not set (write ${\(name):-default} to give a default)")
            }
            index = raw.index(after: close)
        }
        return result
    }

    private func split(_ body: Substring) -> (name: String, fallback: String?) {
        guard let separator = body.firstRange(of: ":-") else { return (String(body), nil) }
        return (String(body[..<separator.lowerBound]), String(body[separator.upperBound...]))
    }

    private func error(at value: ConfigValue, column offset: Int, _ message: String) -> ConfigError {
        let location = ConfigLocation(file: value.location.file, line: value.location.line, column: value.location.column + value.textOffset + offset)
        return ConfigError(at: location, path: value.path, message)
    }

    static func isValidName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, !("0"..."9").contains(first) else { return false }
        return scalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
