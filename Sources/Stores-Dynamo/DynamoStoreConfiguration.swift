import AWSCore
import RouterCore

/// `type: dynamodb`: the connection table of the original pusher, hash key `user_id`, range
/// key `connection_id`.
///
/// Options: `table` (required), `region` (default: the AWS region), `user_key`
/// (default `user_id`), `connection_key` (default `connection_id`), `expires_attribute`
/// (a Number of epoch seconds written on connect and filtered on read; off by default),
/// `connection_ttl` (how far ahead that expiry is written, default 2h), `scan_segments` for
/// broadcasts (default 4), `query_concurrency` (default 16), `page_size` (items per Scan or
/// Query page; default: DynamoDB's 1 MB pages; smaller pages let a split task stop sooner).
public struct DynamoStoreConfiguration: ConnectionStoreConfiguration {
    public let table: String
    public let region: String?
    public let userKey: String
    public let connectionKey: String
    public let expiresAttribute: String?
    public let connectionTTL: Duration
    public let scanSegments: Int
    public let queryConcurrency: Int
    public let pageSize: Int?

    public init(options: inout ConfigMapping) throws(ConfigError) {
        table = try DynamoOptions.table(&options)
        region = try DynamoOptions.region(&options)
        userKey = try DynamoOptions.attribute(&options, "user_key", default: "user_id")
        connectionKey = try DynamoOptions.attribute(&options, "connection_key", default: "connection_id")
        expiresAttribute = try options.optional("expires_attribute")?.nonEmptyString(expected: "an attribute name")
        connectionTTL = try options.optional("connection_ttl")?.duration() ?? .seconds(7200)
        scanSegments = try options.optional("scan_segments")?.int(in: 1...64) ?? 4
        queryConcurrency = try options.optional("query_concurrency")?.int(in: 1...256) ?? 16
        pageSize = try options.optional("page_size")?.int(in: 1...100_000)
    }

    public var settings: [ConfigSetting] {
        [
            ConfigSetting("table", table), ConfigSetting("region", region ?? "(from AWS_REGION)"),
            ConfigSetting("user_key", userKey), ConfigSetting("connection_key", connectionKey),
            ConfigSetting("expires_attribute", expiresAttribute ?? "(none)"), ConfigSetting("connection_ttl", duration: connectionTTL),
            ConfigSetting("scan_segments", "\(scanSegments)"), ConfigSetting("query_concurrency", "\(queryConcurrency)"),
            ConfigSetting("page_size", pageSize.map(String.init) ?? "(1 MB pages)"),
        ]
    }

    public func makeStore(_ context: PluginContext) throws(PluginBuildError) -> any ConnectionStore {
        let (aws, region) = try DynamoOptions.access(context, region: region, table: table, connections: max(scanSegments, queryConcurrency))
        return DynamoConnectionStore(configuration: self, aws: aws, region: region)
    }
}

/// `type: dynamodb-rooms`: room membership, hash key `room_id`, range key `user_id`.
///
/// Options: `table` (required), `region`, `room_key` (default `room_id`), `user_key`
/// (default `user_id`), `query_concurrency` (default 16).
public struct DynamoRoomsConfiguration: RoomDirectoryConfiguration {
    public let table: String
    public let region: String?
    public let roomKey: String
    public let userKey: String
    public let queryConcurrency: Int

    public init(options: inout ConfigMapping) throws(ConfigError) {
        table = try DynamoOptions.table(&options)
        region = try DynamoOptions.region(&options)
        roomKey = try DynamoOptions.attribute(&options, "room_key", default: "room_id")
        userKey = try DynamoOptions.attribute(&options, "user_key", default: "user_id")
        queryConcurrency = try options.optional("query_concurrency")?.int(in: 1...256) ?? 16
    }

    public var settings: [ConfigSetting] {
        [
            ConfigSetting("table", table), ConfigSetting("region", region ?? "(from AWS_REGION)"),
            ConfigSetting("room_key", roomKey), ConfigSetting("user_key", userKey),
            ConfigSetting("query_concurrency", "\(queryConcurrency)"),
        ]
    }

    public func makeDirectory(_ context: PluginContext) throws(PluginBuildError) -> any RoomDirectory {
        let (aws, region) = try DynamoOptions.access(context, region: region, table: table, connections: queryConcurrency)
        return DynamoRoomDirectory(configuration: self, aws: aws, region: region)
    }
}

/// Options the DynamoDB plugins share.
enum DynamoOptions {
    /// A client for the table's region, over keep-alive connections of its own to DynamoDB
    /// (at most `connections`: reading a table is a hot path), and the region.
    static func access(
        _ context: PluginContext, region: String?, table: String, connections: Int
    ) throws(PluginBuildError) -> (AWSClient, String) {
        let aws = try context.resource(AWSAccess.self)
        guard let region = aws.region(region) else {
            throw PluginBuildError(.missingSetting, "no AWS region for table '\(table)': set AWS_REGION, or 'region' on this store")
        }
        guard let endpoint = aws.client.endpoint(of: .dynamoDB, region: region) else {
            throw PluginBuildError(.invalidSetting, "the DynamoDB endpoint for table '\(table)' is not a URL: check AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL")
        }
        return (aws.client.keepingAlive(to: endpoint, maxConnections: connections), region)
    }

    static func table(_ options: inout ConfigMapping) throws(ConfigError) -> String {
        let value = try options.required("table", expected: "a DynamoDB table name")
        let name = try value.nonEmptyString(expected: "a DynamoDB table name")
        guard DynamoTableName.isValid(name) else {
            throw value.error("'\(name)' is not a DynamoDB table name; expected 3 to 255 characters from a-z, A-Z, 0-9, '_', '-', '.'")
        }
        return name
    }

    static func region(_ options: inout ConfigMapping) throws(ConfigError) -> String? {
        guard let value = options.optional("region") else { return nil }
        let name = try value.nonEmptyString()
        guard AWSRegion.isValid(name) else { throw value.error("'\(name)' is not an AWS region; expected a name such as us-east-1") }
        return name
    }

    static func attribute(_ options: inout ConfigMapping, _ key: String, default name: String) throws(ConfigError) -> String {
        try options.optional(key)?.nonEmptyString(expected: "an attribute name") ?? name
    }
}
