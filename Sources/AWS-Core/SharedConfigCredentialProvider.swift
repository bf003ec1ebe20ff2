import FoundationEssentials

/// `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE` and
/// `AWS_CONFIG_FILE`), profile `AWS_PROFILE` (default `default`): static keys, with a session
/// token when present. In the config file the profile's section is `[profile NAME]`
/// (`[default]` for the default); the credentials file wins when both have keys.
public struct SharedConfigCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    var profile: String { environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default" }

    public func credentials() async throws -> AWSCredentials {
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let credentialsFile = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        let configFile = environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
        let sources = [
            (credentialsFile, profile),
            (configFile, profile == "default" ? "default" : "profile \(profile)"),
        ]
        for (path, section) in sources {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let values = INIFile.section(section, in: text)
            if let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
                return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"])
            }
        }
        throw AWSError(code: "CredentialsNotFound", message: "profile '\(profile)' has no keys in \(credentialsFile) or \(configFile)")
    }

    /// The profile's `region` from the config file, if any.
    public func region() -> String? {
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let configFile = environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
        guard let text = try? String(contentsOfFile: configFile, encoding: .utf8) else { return nil }
        return INIFile.section(profile == "default" ? "default" : "profile \(profile)", in: text)["region"]
    }
}

/// The INI dialect of the AWS shared files: `[section]` headers, `key = value` lines,
/// `#` and `;` comments.
enum INIFile {
    static func section(_ name: String, in text: String) -> [String: String] {
        var values: [String: String] = [:]
        var inSection = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                inSection = trimmed(line.dropFirst().dropLast()) == name
                continue
            }
            guard inSection, let equals = line.firstIndex(of: "=") else { continue }
            let key = trimmed(line[..<equals]).lowercased()
            values[key] = trimmed(line[line.index(after: equals)...])
        }
        return values
    }

    /// `text` without leading and trailing white space (line breaks included).
    static func trimmed(_ text: some StringProtocol) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }
}
