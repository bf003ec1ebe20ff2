/// A validated routes.yaml: every component's options checked by its plugin, every name a
/// component refers to known and of the right kind, variables expanded and the chosen
/// environment overlay applied.
public struct RouteTable: Sendable {
    /// One named component of the table.
    public struct Component<Configuration: Sendable>: Sendable {
        public let name: String
        public let type: String
        public let configuration: Configuration
        public let location: ConfigLocation
    }

    /// One entry of `routes:`.
    public struct Route: Sendable {
        public let name: String
        /// Source names whose messages this route takes; empty takes every source's.
        public let from: [String]
        /// Message attributes a message must carry (any of the listed values) to take this route.
        public let match: [String: [String]]
        /// The filter stages, in order.
        public let stages: [Component<any StageConfiguration>]
        /// The sink's name.
        public let to: String
        /// What happens to a request that can never be delivered.
        public let onInvalid: InvalidRequestPolicy
        /// How large requests are cut into tasks for a work queue; nil: never.
        public let split: SplitSettings?
        /// The sink and sources this route names, for validation.
        public let references: [ConfigReference]
        public let location: ConfigLocation
    }

    /// Where the table came from: a file path, or `built-in default`.
    public let origin: String
    /// The `environments:` overlay applied, if any.
    public let environment: String?
    /// Which table is in use, for the first line a command prints or logs:
    /// `route table: routes.yaml (environment: dev)`.
    public var summary: String {
        "route table: \(origin)" + (environment.map { " (environment: \($0))" } ?? " (no environment applied)")
    }
    public let connectionStores: [Component<any ConnectionStoreConfiguration>]
    public let roomDirectories: [Component<any RoomDirectoryConfiguration>]
    public let sinks: [Component<any SinkConfiguration>]
    public let sources: [Component<any SourceConfiguration>]
    public let routes: [Route]
    /// The `serve:` section (daemon mode), empty when absent.
    public let serve: ServeSettings
    /// Every kind of source the registry that loaded the table knows, by `type:`, whether the
    /// table names one or not: each kind's event face reads events from queues and topics the
    /// table does not list too.
    public let sourceKinds: [String: any SourceConfiguration.Type]
}

extension RouteTable {
    /// The sources whose options are of type `Configuration` (every `sqs` source, say), with
    /// their names, in the table's order.
    public func sources<Configuration: SourceConfiguration>(of type: Configuration.Type) -> [(name: String, configuration: Configuration)] {
        sources.compactMap { source in (source.configuration as? Configuration).map { (source.name, $0) } }
    }

    /// Why `name` names no source: the table's origin and the sources it has.
    public func noSource(named name: String) -> String {
        "no source named '\(name)' in \(origin)" + (sources.isEmpty ? "" : "; its sources: \(sources.map(\.name).joined(separator: ", "))")
    }
}

/// What a source does with a request that can never be delivered (not JSON, wrong field
/// types, a stage's invalid verdict): `dlq` reports it failed so that the queue's redrive
/// policy moves it to the dead-letter queue (SQS; SNS has no retry for it and logs it), `drop`
/// acknowledges it after logging. Either way it is logged with its message id and reason.
public enum InvalidRequestPolicy: String, Sendable, CaseIterable {
    case dlq
    case drop
}
