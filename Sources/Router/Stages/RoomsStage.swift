/// `rooms`: turns the request's `rooms` into users through a ``RoomDirectory``.
///
/// Mode `expand` (default) targets the request's users plus every member of its rooms;
/// mode `restrict` keeps only the request's users who are members of its rooms (all members
/// when the request names no users). Rooms without members reach nobody: a rooms request
/// never becomes a broadcast.
public struct RoomsStage: FilterStage {
    public enum Mode: String, Sendable, CaseIterable {
        case expand, restrict
    }

    public var name: String { "rooms" }
    public let directory: any RoomDirectory
    public let mode: Mode

    public init(directory: any RoomDirectory, mode: Mode = .expand) {
        self.directory = directory
        self.mode = mode
    }

    public func process(_ delivery: Delivery) async throws -> StageDecision {
        let rooms = delivery.audience.pendingRooms
        guard !rooms.isEmpty else { return .pass(delivery) }
        let members = try await directory.members(of: rooms)
        var delivery = delivery
        let users: [String]
        if case .users(let targeted) = delivery.audience.target { users = targeted } else { users = [] }
        switch mode {
        case .expand:
            let named = Set(users)
            delivery.audience.target = .users(users + members.filter { !named.contains($0) }.sorted())
        case .restrict:
            delivery.audience.target = .users(users.isEmpty ? members.sorted() : users.filter(members.contains))
        }
        delivery.audience.pendingRooms = []
        return .pass(delivery)
    }
}

extension RoomsStage {
    /// `rooms: { directory: rooms, mode: expand | restrict }`.
    public struct Configuration: StageConfiguration {
        public let directory: ConfigReference
        public let mode: Mode

        public init(options: inout ConfigMapping) throws(ConfigError) {
            let value = try options.required("directory", expected: "the name of a room directory in stores")
            directory = ConfigReference(.roomDirectory, try value.nonEmptyString(), at: value)
            mode = try options.optional("mode")?.choice(Mode.self) ?? .expand
        }

        public var settings: [ConfigSetting] {
            [ConfigSetting("directory", directory.name), ConfigSetting("mode", mode.rawValue)]
        }

        public var references: [ConfigReference] { [directory] }

        public func makeStage(_ context: PluginContext) throws(PluginBuildError) -> any FilterStage {
            RoomsStage(directory: try context.roomDirectory(named: directory.name), mode: mode)
        }
    }
}
