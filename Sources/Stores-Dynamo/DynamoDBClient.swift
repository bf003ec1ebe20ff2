import AWSCore
import FoundationEssentials
import RouterCore

/// The DynamoDB calls the store makes, over the shared ``AWSClient``, for one table in one
/// region. Errors are ``DynamoStoreError``s that name the table and the region.
struct DynamoDBClient: Sendable {
    let aws: AWSClient
    let table: String
    let region: String
    /// How long one call may take, retries included; never past the request's deadline
    /// (``RouterCore/RequestDeadline``).
    let callTimeout: Duration

    struct QueryInput: Encodable {
        let TableName: String
        let KeyConditionExpression: String
        let ProjectionExpression: String
        let ExpressionAttributeNames: [String: String]
        let ExpressionAttributeValues: DynamoItem
        let ExclusiveStartKey: DynamoItem?
        let Limit: Int?
    }

    struct ScanInput: Encodable {
        let TableName: String
        let ProjectionExpression: String
        let ExpressionAttributeNames: [String: String]
        let Segment: Int
        let TotalSegments: Int
        let ExclusiveStartKey: DynamoItem?
        let Limit: Int?
    }

    /// One Query page, with `attributes` of each item.
    func query(_ input: QueryInput, attributes: [String]) async throws -> DynamoPage {
        try page("Query", try await call("Query", input), attributes: attributes)
    }

    /// One Scan page, with `attributes` of each item.
    func scan(_ input: ScanInput, attributes: [String]) async throws -> DynamoPage {
        try page("Scan", try await call("Scan", input), attributes: attributes)
    }

    private func page(_ operation: String, _ bytes: [UInt8], attributes: [String]) throws -> DynamoPage {
        do {
            return try DynamoPage(reading: bytes, attributes: attributes)
        } catch {
            throw invalidResponse(operation, error)
        }
    }

    /// Deletes `keys` (at most 25) and returns the ones DynamoDB left unprocessed.
    func batchDelete(_ keys: [DynamoItem]) async throws -> [DynamoItem] {
        struct WriteRequest: Codable {
            struct Delete: Codable { let Key: DynamoItem }
            let DeleteRequest: Delete?
        }
        struct Input: Encodable { let RequestItems: [String: [WriteRequest]] }
        struct Output: Decodable { let UnprocessedItems: [String: [WriteRequest]]? }
        let input = Input(RequestItems: [table: keys.map { WriteRequest(DeleteRequest: .init(Key: $0)) }])
        let output = try decode(Output.self, try await call("BatchWriteItem", input))
        return (output.UnprocessedItems?[table] ?? []).compactMap(\.DeleteRequest?.Key)
    }

    func putItem(_ item: DynamoItem) async throws {
        struct Input: Encodable {
            let TableName: String
            let Item: DynamoItem
        }
        _ = try await call("PutItem", Input(TableName: table, Item: item))
    }

    private func call(_ operation: String, _ input: some Encodable) async throws -> [UInt8] {
        let body = try JSONEncoder().encode(input)
        do {
            return try await aws.json(
                .dynamoDB, target: "DynamoDB_20120810.\(operation)", body: Array(body), region: region,
                deadline: RequestDeadline.capping(callTimeout))
        } catch {
            throw DynamoStoreError(table: table, region: region, operation: operation, underlying: error)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw invalidResponse("\(T.self)", error)
        }
    }

    private func invalidResponse(_ operation: String, _ error: any Error) -> DynamoStoreError {
        DynamoStoreError(table: table, region: region, operation: operation, underlying: AWSError(code: "InvalidResponse", message: "unexpected answer: \(error)"))
    }
}
