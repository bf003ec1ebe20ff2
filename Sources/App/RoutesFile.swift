import FoundationEssentials
import RouterCore

/// Finds and loads the route table the way every command does (DESIGN §4): `--routes FILE`,
/// else `./routes.yaml`, else `$LAMBDA_TASK_ROOT/routes.yaml`, else the built-in default.
public struct RoutesFile: Sendable {
    /// The file to read, or nil for the built-in default.
    public let path: String?

    /// Picks the file: `explicit` when given (it must exist), else the first that exists.
    public init(explicit: String?, environment: [String: String], fileExists: (String) -> Bool = FileManager.default.fileExists) {
        if let explicit {
            path = explicit
        } else if fileExists("routes.yaml") {
            path = "routes.yaml"
        } else if let root = environment["LAMBDA_TASK_ROOT"], fileExists(root + "/routes.yaml") {
            path = root + "/routes.yaml"
        } else {
            path = nil
        }
    }

    /// Loads and validates the table with `registry`, expanding variables from `environment`;
    /// with `ifDefined`, an environment the file does not define is skipped instead of refused.
    public func load(
        registry: PluginRegistry = .builtin, environment: [String: String], environmentName: String?, ifDefined: Bool = false
    ) throws(ConfigErrors) -> RouteTable {
        let loader = RouteTableLoader(registry: registry, variables: environment)
        guard let path else {
            return try loader.load(yaml: DefaultRoutes.yaml, file: DefaultRoutes.origin, environment: environmentName, ifDefined: ifDefined)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "does not exist"
            throw ConfigErrors([ConfigError(at: ConfigLocation(file: path, line: 1, column: 1), path: "", "routes file \(reason)")])
        }
        return try loader.load(yaml: text, file: path, environment: environmentName, ifDefined: ifDefined)
    }
}
