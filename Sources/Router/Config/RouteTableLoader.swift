/// Loads routes.yaml (DESIGN §5) into a ``RouteTable``.
///
/// Guarantees: unknown keys, unknown plugin types, duplicate names, dangling references and
/// unset variables are errors; every error names file:line:column, the key path and what was
/// expected; all errors of a file are reported together, in file order.
public struct RouteTableLoader: Sendable {
    public var registry: PluginRegistry
    /// The variables `${VAR}` expands from (normally the process environment).
    public var variables: [String: String]

    public init(registry: PluginRegistry, variables: [String: String]) {
        self.registry = registry
        self.variables = variables
    }

    /// Loads the YAML text `yaml`, read from `file` (used in messages), applying the overlay
    /// `environments.<environment>` when an environment is named. A named environment the
    /// file does not define is an error, unless `ifDefined` is set (a mode's default
    /// environment, such as `dev`): then the table loads without an overlay.
    public func load(yaml: String, file: String, environment: String? = nil, ifDefined: Bool = false) throws(ConfigErrors) -> RouteTable {
        let reader = TableReader(registry: registry)
        do {
            let document = try ConfigDocument.parse(yaml, file: file, environment: variables)
            var environment = environment
            if ifDefined, let name = environment, !reader.defines(name, in: document) { environment = nil }
            let root = try reader.selectEnvironment(environment, in: document)
            return try reader.read(root, origin: file, environment: environment)
        } catch let error as ConfigError {
            throw ConfigErrors(reader.errors + [error])
        } catch let errors as ConfigErrors {
            throw errors
        } catch {
            throw ConfigErrors(reader.errors)
        }
    }

    /// Loads YAML text that is a `sources:` section on its own (`name: { type: sqs, queue: … }`),
    /// for commands that name sources outside any table (`publish --queue URL`).
    public func loadSources(yaml: String, file: String) throws(ConfigErrors) -> [RouteTable.Component<any SourceConfiguration>] {
        let reader = TableReader(registry: registry)
        let sources: [RouteTable.Component<any SourceConfiguration>]
        do {
            sources = reader.sources(try ConfigDocument.parse(yaml, file: file, environment: variables))
        } catch {
            throw ConfigErrors([error])
        }
        guard reader.errors.isEmpty else { throw ConfigErrors(reader.errors) }
        return sources
    }
}

/// One pass over a document, collecting errors so that each component is checked even when
/// an earlier one is broken.
private final class TableReader {
    let registry: PluginRegistry
    var errors: [ConfigError] = []
    /// Components that are declared but failed to load: references to them are not
    /// reported again as unknown.
    var broken: Set<String> = []

    init(registry: PluginRegistry) {
        self.registry = registry
    }

    /// Whether `environments.<name>` exists.
    func defines(_ name: String, in document: ConfigValue) -> Bool {
        guard case .mapping(let entries) = document.content, let environments = entries.first(where: { $0.key == "environments" })?.value,
              case .mapping(let overlays) = environments.content
        else { return false }
        return overlays.contains { $0.key == name }
    }

    func selectEnvironment(_ name: String?, in document: ConfigValue) throws(ConfigError) -> ConfigValue {
        guard case .mapping(let entries) = document.content else {
            throw document.error("expected a mapping with version, stores, sinks, sources and routes, got \(document.kindName)")
        }
        guard let name else { return document }
        let environments = entries.first { $0.key == "environments" }?.value
        var overlays = try environments.map { value throws(ConfigError) in try value.mapping(expected: "a mapping of environment names to overlays") }
        let names = overlays?.keys ?? []
        guard let overlay = overlays?.optional(name) else {
            let defined = names.isEmpty ? "none are defined" : "defined: " + names.joined(separator: ", ")
            throw (environments ?? document).error("environment '\(name)' (from --env or ROUTER_ENV) is not defined; \(defined)")
        }
        return ConfigOverlay.apply(overlay, to: document)
    }

    func read(_ root: ConfigValue, origin: String, environment: String?) throws -> RouteTable {
        var top: ConfigMapping
        top = try root.mapping()
        collect {
            let version = try top.required("version", expected: "version: 1")
            guard try version.string() == "1" else { throw version.error("unsupported version '\(try version.string())'; expected 1") }
        }
        _ = top.optional("environments")  // applied by selectEnvironment; its contents are checked when chosen
        let registry = self.registry
        let stores: [RouteTable.Component<StoreConfiguration>] = components(top.optional("stores"), section: "stores") { type, options in
            if let configuration = registry.connectionStores[type] {
                return .connectionStore(try configuration.init(options: &options))
            }
            if let configuration = registry.roomDirectories[type] {
                return .roomDirectory(try configuration.init(options: &options))
            }
            return nil
        } known: { Array(registry.connectionStores.keys) + Array(registry.roomDirectories.keys) }
        let sinks = components(top.optional("sinks"), section: "sinks") { type, options in
            try registry.sinks[type].map { configuration in try configuration.init(options: &options) }
        } known: { Array(registry.sinks.keys) }
        let sources = sources(top.optional("sources"))
        let routes = readRoutes(top.optional("routes"), at: root)
        var serve = ServeSettings()
        if let section = top.optional("serve") {
            collect {
                var options = try section.mapping(expected: "the serve settings: host, port, shutdown_grace")
                serve = try ServeSettings(options: &options)
                try options.finish()
            }
        }
        collect { try top.finish() }

        var connectionStores: [RouteTable.Component<any ConnectionStoreConfiguration>] = []
        var roomDirectories: [RouteTable.Component<any RoomDirectoryConfiguration>] = []
        for store in stores {
            switch store.configuration {
            case .connectionStore(let configuration):
                connectionStores.append(.init(name: store.name, type: store.type, configuration: configuration, location: store.location))
            case .roomDirectory(let configuration):
                roomDirectories.append(.init(name: store.name, type: store.type, configuration: configuration, location: store.location))
            }
        }
        let table = RouteTable(
            origin: origin, environment: environment,
            connectionStores: connectionStores, roomDirectories: roomDirectories,
            sinks: sinks, sources: sources, routes: routes, serve: serve, sourceKinds: registry.sources)
        errors += ReferenceCheck(table: table, ignoring: broken).errors
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return table
    }

    // MARK: - Sections

    private func components<Configuration>(
        _ section: ConfigValue?,
        section name: String,
        make: (String, inout ConfigMapping) throws -> Configuration?,
        known: () -> [String]
    ) -> [RouteTable.Component<Configuration>] {
        guard let section else { return [] }
        var result: [RouteTable.Component<Configuration>] = []
        collect {
            var mapping = try section.mapping(expected: "a mapping of \(name) by name")
            for entry in mapping.namedEntries() {
                broken.insert(entry.key)
                collect {
                    try ConfigNames.check(entry.key, at: entry.value)
                    var options = try entry.value.mapping(expected: "a mapping with a type")
                    let typeValue = try options.required("type", expected: "one of: " + known().sorted().joined(separator: ", "))
                    let type = try typeValue.string()
                    guard let configuration = try make(type, &options) else {
                        throw typeValue.error("unknown type '\(type)'; expected one of: " + known().sorted().joined(separator: ", "))
                    }
                    try options.finish()
                    result.append(.init(name: entry.key, type: type, configuration: configuration, location: entry.keyLocation))
                    broken.remove(entry.key)
                }
            }
        }
        return result
    }

    func sources(_ section: ConfigValue?) -> [RouteTable.Component<any SourceConfiguration>] {
        components(section, section: "sources") { type, options in
            try registry.sources[type].map { configuration in try configuration.init(options: &options) }
        } known: { Array(registry.sources.keys) }
    }

    private func readRoutes(_ section: ConfigValue?, at root: ConfigValue) -> [RouteTable.Route] {
        guard let section else {
            errors.append(root.error("missing key 'routes' (expected a list of routes, each with a name and a 'to' sink)"))
            return []
        }
        var routes: [RouteTable.Route] = []
        collect {
            let items = try section.sequence(expected: "a list of routes")
            guard !items.isEmpty else { throw section.error("expected at least one route") }
            var names: [String: Int] = [:]
            for item in items {
                collect {
                    let route = try readRoute(item)
                    if let line = names[route.name] {
                        throw item.error("duplicate route name '\(route.name)' (first defined at line \(line))")
                    }
                    names[route.name] = route.location.line
                    routes.append(route)
                }
            }
        }
        return routes
    }

    private func readRoute(_ item: ConfigValue) throws(ConfigError) -> RouteTable.Route {
        var mapping = try item.mapping(expected: "a route: a mapping with name, from, filters and to")
        let nameValue = try mapping.required("name", expected: "the route's name")
        let name = try nameValue.nonEmptyString()
        try ConfigNames.check(name, at: nameValue)
        let fromValue = mapping.optional("from")
        let from = try fromValue?.strings(expected: "a source name or a list of source names") ?? []
        var match: [String: [String]] = [:]
        if let matchValue = mapping.optional("match") {
            var attributes = try matchValue.mapping(expected: "a mapping of message attribute names to values")
            for entry in attributes.namedEntries() {
                match[entry.key] = try entry.value.strings(expected: "a value or a list of values")
            }
        }
        var stages: [RouteTable.Component<any StageConfiguration>] = []
        for filter in try mapping.optional("filters")?.sequence(expected: "a list of filters") ?? [] {
            stages.append(try readStage(filter))
        }
        let toValue = try mapping.required("to", expected: "the name of a sink")
        let to = try toValue.nonEmptyString(expected: "the name of a sink")
        let onInvalid = try mapping.optional("on_invalid")?.choice(InvalidRequestPolicy.self) ?? .dlq
        var split: SplitSettings?
        var references = [ConfigReference(.sink, to, at: toValue)] + from.map { ConfigReference(.source, $0, at: fromValue ?? item) }
        if let splitValue = mapping.optional("split") {
            var options = try splitValue.mapping(expected: "the split options: via, segments, users_per_task, task_budget, max_hops")
            let settings = try SplitSettings(options: &options)
            try options.finish()
            guard from.isEmpty || from.contains(settings.via) else {
                throw splitValue.error("via '\(settings.via)' must be a source this route takes messages from (add it to 'from', which lists: \(from.joined(separator: ", ")))")
            }
            references.append(ConfigReference(.source, settings.via, at: splitValue))
            split = settings
        }
        try mapping.finish()
        return RouteTable.Route(
            name: name, from: from, match: match, stages: stages, to: to, onInvalid: onInvalid, split: split,
            references: references, location: item.location)
    }

    /// A filter is written `- exclude` or `- dedupe: { window: 5m }`.
    private func readStage(_ filter: ConfigValue) throws(ConfigError) -> RouteTable.Component<any StageConfiguration> {
        let known = "one of: " + registry.stages.keys.sorted().joined(separator: ", ")
        let type: String, options: ConfigValue?, typeValue: ConfigValue
        switch filter.content {
        case .scalar:
            (type, options, typeValue) = (try filter.string(), nil, filter)
        case .mapping(let entries) where entries.count == 1:
            (type, options, typeValue) = (entries[0].key, entries[0].value.isNull ? nil : entries[0].value, filter)
        default:
            throw filter.error("expected a filter name or a one-key mapping 'name: { options }' (\(known))")
        }
        guard let configuration = registry.stages[type] else {
            throw typeValue.error("unknown filter '\(type)'; expected \(known)")
        }
        var mapping = try options.map { value throws(ConfigError) in try value.mapping(expected: "the options of filter '\(type)'") }
            ?? ConfigMapping.empty(at: filter)
        let stage = try configuration.init(options: &mapping)
        try mapping.finish()
        return .init(name: type, type: type, configuration: stage, location: filter.location)
    }

    /// Runs one independent check, keeping its error and going on.
    private func collect(_ body: () throws -> Void) {
        do {
            try body()
        } catch let error as ConfigError {
            errors.append(error)
        } catch let more as ConfigErrors {
            errors += more.errors
        } catch {
            preconditionFailure("configuration readers throw only ConfigError: \(error)")
        }
    }
}

/// A store entry before it is sorted into connection stores and room directories.
private enum StoreConfiguration: Sendable {
    case connectionStore(any ConnectionStoreConfiguration)
    case roomDirectory(any RoomDirectoryConfiguration)
}
