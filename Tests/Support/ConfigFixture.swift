import RouterCore

/// Reads one plugin's options from YAML the way the loader does, unknown keys included.
public enum ConfigFixture {
    public static func configuration<Configuration: PluginConfiguration>(
        _ type: Configuration.Type, _ yaml: String, variables: [String: String] = [:]
    ) throws(ConfigError) -> Configuration {
        var options = try ConfigValue.load(yaml: yaml, file: "test.yaml", variables: variables).mapping()
        let configuration = try Configuration(options: &options)
        try options.finish()
        return configuration
    }

    /// The error reading `yaml` gives, as printed.
    public static func error<Configuration: PluginConfiguration>(_ type: Configuration.Type, _ yaml: String) -> String? {
        do {
            _ = try configuration(type, yaml)
            return nil
        } catch {
            return error.description
        }
    }
}
