/// The rule for component and route names: letters, digits, `-` and `_`, so that names
/// read the same in logs, metrics labels and URLs (`/sns/{source}`).
enum ConfigNames {
    static func check(_ name: String, at value: ConfigValue) throws(ConfigError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard !name.isEmpty, allowed else {
            throw value.error("invalid name '\(name)'; expected letters, digits, '-' and '_'")
        }
    }
}
