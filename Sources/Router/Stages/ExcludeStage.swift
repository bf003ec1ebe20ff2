/// `exclude`: `exclude_users` and `exclude_connections` are never delivered to, whatever the
/// target (users, rooms or broadcast) and however many there are. Excluded users are removed
/// from an explicit user list at once; all exclusions are also checked for every connection
/// the store returns, with set lookups.
public struct ExcludeStage: FilterStage {
    public var name: String { "exclude" }

    public init() {}

    public func process(_ delivery: Delivery) async throws -> StageDecision {
        var delivery = delivery
        delivery.audience.excludedUsers.formUnion(delivery.request.excludeUsers)
        delivery.audience.excludedConnections.formUnion(delivery.request.excludeConnections)
        if case .users(let users) = delivery.audience.target, !delivery.audience.excludedUsers.isEmpty {
            let excluded = delivery.audience.excludedUsers
            delivery.audience.target = .users(users.filter { !excluded.contains($0) })
        }
        return .pass(delivery)
    }
}

extension ExcludeStage {
    /// `exclude` takes no options.
    public struct Configuration: StageConfiguration {
        public init(options: inout ConfigMapping) throws(ConfigError) {}
        public var settings: [ConfigSetting] { [] }
        public func makeStage(_ context: PluginContext) throws(PluginBuildError) -> any FilterStage { ExcludeStage() }
    }
}
