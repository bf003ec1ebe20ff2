import AWSCore
import FoundationEssentials
import RouterCore
import Synchronization

/// The connection table on DynamoDB (hash key `user_id`, range key `connection_id` by
/// default), as a ``ConnectionStore``.
///
/// - Multicast: one Query per distinct user, every page, at most `queryConcurrency` at once,
///   projecting only the key (and expiry) attributes.
/// - Broadcast: a parallel Scan in `scanSegments` segments; each page is handed to the
///   consumer as it arrives, so memory holds at most one page per segment.
/// - Prune: keys deduplicated, `BatchWriteItem` in chunks of 25, `UnprocessedItems`
///   retried with jittered backoff.
/// - With `expires_attribute`, items whose expiry (epoch seconds) has passed are ignored on
///   read (DynamoDB's TTL deletes lag by up to days) and `put` writes it.
public struct DynamoConnectionStore: SegmentScanning {
    let client: DynamoDBClient
    let configuration: DynamoStoreConfiguration
    /// Items per page (`page_size`, unless the caller sets it); nil lets DynamoDB fill 1 MB pages.
    let pageLimit: Int?
    let retry: RetryPolicy
    let now: @Sendable () -> Date
    /// The expression names, the projection and the attributes a page is read for (user,
    /// connection id and, when configured, the expiry): the same for every call.
    private let names: [String: String]
    private let projection: String
    private let attributes: [String]

    public init(
        configuration: DynamoStoreConfiguration, aws: AWSClient, region: String,
        pageLimit: Int? = nil, retry: RetryPolicy = .default, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.client = DynamoDBClient(aws: aws, table: configuration.table, region: configuration.region ?? region, callTimeout: .seconds(20))
        self.configuration = configuration
        self.pageLimit = pageLimit ?? configuration.pageSize
        self.retry = retry
        self.now = now
        var names = ["#u": configuration.userKey, "#c": configuration.connectionKey]
        if let expires = configuration.expiresAttribute { names["#e"] = expires }
        self.names = names
        projection = configuration.expiresAttribute == nil ? "#u, #c" : "#u, #c, #e"
        attributes = [configuration.userKey, configuration.connectionKey] + (configuration.expiresAttribute.map { [$0] } ?? [])
    }

    /// A user whose key DynamoDB refuses (`ValidationException`) is left out and named in
    /// the ``UnreadUsers`` thrown after every other user was read; any other error (the table
    /// is missing, access denied, the network) fails the whole read at once.
    public func connections(of users: [String]) -> ConnectionBatches {
        var seen = Set<String>()
        let distinct = users.filter { seen.insert($0).inserted }
        return ConnectionBatches { consume in
            let unread = Mutex<[String: String]>([:])
            try await concurrentForEach(distinct, limit: configuration.queryConcurrency) { user in
                do {
                    try await queryAllPages(of: user, consume)
                } catch let refused as RefusedKey {
                    unread.withLock { $0[user] = refused.reason }
                }
            }
            let reasons = unread.withLock { $0 }
            if !reasons.isEmpty { throw UnreadUsers(reasons) }
        }
    }

    /// DynamoDB refused one user's key.
    private struct RefusedKey: Error {
        let reason: String
    }

    private func queryAllPages(of user: String, _ consume: ConnectionBatches.Consumer) async throws {
        var start: DynamoItem?
        repeat {
            let page: DynamoPage
            do {
                page = try await client.query(.init(
                    TableName: configuration.table, KeyConditionExpression: "#u = :u", ProjectionExpression: projection,
                    ExpressionAttributeNames: names, ExpressionAttributeValues: [":u": .string(user)],
                    ExclusiveStartKey: start, Limit: pageLimit), attributes: attributes)
            } catch let error as DynamoStoreError where error.underlying.code == "ValidationException" {
                throw RefusedKey(reason: error.underlying.message)
            }
            try await consume(connections(in: page))
            start = page.lastEvaluatedKey
        } while start != nil
    }

    public func scan() -> ConnectionBatches {
        ConnectionBatches { consume in
            let segments = Array(0..<configuration.scanSegments)
            try await concurrentForEach(segments, limit: segments.count) { segment in
                var start: DynamoItem?
                repeat {
                    let page = try await client.scan(.init(
                        TableName: configuration.table, ProjectionExpression: projection, ExpressionAttributeNames: names,
                        Segment: segment, TotalSegments: configuration.scanSegments, ExclusiveStartKey: start, Limit: pageLimit),
                        attributes: attributes)
                    try await consume(connections(in: page))
                    start = page.lastEvaluatedKey
                } while start != nil
            }
        }
    }

    /// One Scan call of segment `segment` of `segments`; the cursor is the page's
    /// `LastEvaluatedKey` as JSON.
    public func scanPage(segment: Int, of segments: Int, after cursor: String?) async throws -> ScanPage {
        let start = try cursor.map { try JSONDecoder().decode(DynamoItem.self, from: Data($0.utf8)) }
        let page = try await client.scan(.init(
            TableName: configuration.table, ProjectionExpression: projection, ExpressionAttributeNames: names,
            Segment: segment, TotalSegments: segments, ExclusiveStartKey: start, Limit: pageLimit), attributes: attributes)
        let next = try page.lastEvaluatedKey.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return ScanPage(connections: connections(in: page), next: next)
    }

    public func delete(_ connections: [Connection]) async throws -> Int {
        let keys = Array(Set(connections))
        var random = SystemRandomNumberGenerator()
        for start in stride(from: 0, to: keys.count, by: 25) {
            var remaining = keys[start..<min(start + 25, keys.count)].map(key)
            var attempt = 0
            while !remaining.isEmpty {
                attempt += 1
                remaining = try await client.batchDelete(remaining)
                guard !remaining.isEmpty else { break }
                guard attempt < retry.maxAttempts else {
                    throw DynamoStoreError(
                        table: configuration.table, region: client.region, operation: "BatchWriteItem",
                        underlying: AWSError(code: "UnprocessedItems", message: "\(remaining.count) deletes still unprocessed after \(attempt) attempts"))
                }
                try await Task.sleep(for: retry.delay(after: attempt, using: &random))
            }
        }
        return keys.count
    }

    public func put(_ connection: Connection) async throws {
        var item = key(connection)
        let connectedAt = now().timeIntervalSince1970.rounded(.down)
        item["connected_at"] = .number(String(Int(connectedAt)))
        if let expires = configuration.expiresAttribute {
            item[expires] = .number(String(Int(connectedAt) + Int(configuration.connectionTTL.components.seconds)))
        }
        try await client.putItem(item)
    }

    private func key(_ connection: Connection) -> DynamoItem {
        [configuration.userKey: .string(connection.userID), configuration.connectionKey: .string(connection.connectionID)]
    }

    /// The page's connections (items with a string user and connection id), but those whose
    /// expiry (a number of epoch seconds) has passed.
    private func connections(in page: DynamoPage) -> [Connection] {
        let cutoff = now().timeIntervalSince1970
        let hasExpiry = configuration.expiresAttribute != nil
        var connections: [Connection] = []
        connections.reserveCapacity(page.count)
        for item in 0..<page.count {
            guard let user = page[item, 0]?.string, let id = page[item, 1]?.string else { continue }
            if hasExpiry, let expiry = page[item, 2]?.number, expiry <= cutoff { continue }
            connections.append(Connection(userID: user, connectionID: id))
        }
        return connections
    }
}
