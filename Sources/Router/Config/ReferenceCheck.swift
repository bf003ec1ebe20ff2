/// Checks that every name a route table uses refers to a component of the right kind.
/// Names in `ignoring` (components that failed to load, already reported) are not checked.
struct ReferenceCheck {
    private(set) var errors: [ConfigError] = []

    init(table: RouteTable, ignoring broken: Set<String>) {
        let kinds: [(ConfigReference.Kind, [(name: String, type: String)])] = [
            (.connectionStore, table.connectionStores.map { ($0.name, $0.type) }),
            (.roomDirectory, table.roomDirectories.map { ($0.name, $0.type) }),
            (.sink, table.sinks.map { ($0.name, $0.type) }),
            (.source, table.sources.map { ($0.name, $0.type) }),
        ]
        var references = table.sinks.flatMap { [$0.configuration.store] + $0.configuration.references }
        references += table.connectionStores.flatMap { $0.configuration.references }
        references += table.roomDirectories.flatMap { $0.configuration.references }
        references += table.sources.flatMap { $0.configuration.references }
        for route in table.routes {
            references += route.references + route.stages.flatMap { $0.configuration.references }
        }
        for reference in references where !broken.contains(reference.name) {
            let candidates = kinds.first { $0.0 == reference.kind }?.1 ?? []
            guard !candidates.contains(where: { $0.name == reference.name }) else { continue }
            var message = "unknown \(reference.kind.rawValue) '\(reference.name)'; expected "
            message += candidates.isEmpty
                ? "a \(reference.kind.rawValue) defined in this file (none is)"
                : "one of: " + candidates.map(\.name).joined(separator: ", ")
            if let other = kinds.first(where: { $0.0 != reference.kind && $0.1.contains { $0.name == reference.name } }),
               let type = other.1.first(where: { $0.name == reference.name })?.type {
                message += " ('\(reference.name)' is a \(other.0.rawValue) of type \(type))"
            }
            errors.append(ConfigError(at: reference.location, path: reference.path, message))
        }
    }
}
