import AWSCore
import RouterCore
import Synchronization

/// Room membership on DynamoDB (hash key `room_id`, range key `user_id` by default), as a
/// ``RoomDirectory``: one Query per distinct room, every page, at most `queryConcurrency`
/// at once, projecting only the user attribute.
public struct DynamoRoomDirectory: RoomDirectory {
    let client: DynamoDBClient
    let configuration: DynamoRoomsConfiguration
    let pageLimit: Int?

    public init(configuration: DynamoRoomsConfiguration, aws: AWSClient, region: String, pageLimit: Int? = nil) {
        self.client = DynamoDBClient(aws: aws, table: configuration.table, region: configuration.region ?? region, callTimeout: .seconds(20))
        self.configuration = configuration
        self.pageLimit = pageLimit
    }

    public func members(of rooms: [String]) async throws -> Set<String> {
        let found = Mutex(Set<String>())
        try await concurrentForEach(Array(Set(rooms)), limit: configuration.queryConcurrency) { room in
            let members = try await membersOfRoom(room)
            found.withLock { $0.formUnion(members) }
        }
        return found.withLock { $0 }
    }

    private func membersOfRoom(_ room: String) async throws -> Set<String> {
        var members = Set<String>()
        var start: DynamoItem?
        repeat {
            let page = try await client.query(.init(
                TableName: configuration.table, KeyConditionExpression: "#r = :r", ProjectionExpression: "#m",
                ExpressionAttributeNames: ["#r": configuration.roomKey, "#m": configuration.userKey],
                ExpressionAttributeValues: [":r": .string(room)], ExclusiveStartKey: start, Limit: pageLimit),
                attributes: [configuration.userKey])
            members.formUnion((0..<page.count).compactMap { page[$0, 0]?.string })
            start = page.lastEvaluatedKey
        } while start != nil
        return members
    }
}
