import Synchronization

/// A ``RoomDirectory`` held in memory: for tests and for dev mode, where clients join and
/// leave rooms over their WebSocket. Safe to use from any thread; joining and leaving do not
/// suspend, so a WebSocket's event loop can apply them in the order they arrived.
public final class MemoryRoomDirectory: RoomDirectory {
    private let membersByRoom: Mutex<[String: Set<String>]>

    public init(members: [String: Set<String>] = [:]) {
        self.membersByRoom = Mutex(members)
    }

    public func members(of rooms: [String]) -> Set<String> {
        membersByRoom.withLock { membersByRoom in
            rooms.reduce(into: Set<String>()) { members, room in members.formUnion(membersByRoom[room] ?? []) }
        }
    }

    /// Each member's rooms, sorted.
    public var roomsByUser: [String: [String]] {
        var rooms: [String: [String]] = [:]
        for (room, members) in membersByRoom.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            for member in members { rooms[member, default: []].append(room) }
        }
        return rooms
    }

    public func join(_ user: String, room: String) {
        _ = membersByRoom.withLock { $0[room, default: []].insert(user) }
    }

    public func leave(_ user: String, room: String) {
        membersByRoom.withLock { membersByRoom in
            membersByRoom[room]?.remove(user)
            if membersByRoom[room]?.isEmpty == true { membersByRoom[room] = nil }
        }
    }
}

extension MemoryRoomDirectory {
    /// `type: memory-rooms` takes no options.
    public struct Configuration: RoomDirectoryConfiguration {
        public init(options: inout ConfigMapping) throws(ConfigError) {}
        public var settings: [ConfigSetting] { [] }
        public func makeDirectory(_ context: PluginContext) -> any RoomDirectory { MemoryRoomDirectory() }
    }
}
