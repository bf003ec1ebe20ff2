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

    struct QueryInput {
        let TableName: String
        let KeyConditionExpression: String
        let ProjectionExpression: String
        let ExpressionAttributeNames: [String: String]
        let ExpressionAttributeValues: DynamoItem
        let ExclusiveStartKey: DynamoItem?
        let Limit: Int?

        var json: JSONValue {
            var members: [String: JSONValue] = [
                "TableName": .string(TableName), "KeyConditionExpression": .string(KeyConditionExpression),
                "ProjectionExpression": .string(ProjectionExpression),
                "ExpressionAttributeNames": .object(ExpressionAttributeNames.mapValues(JSONValue.string)),
                "ExpressionAttributeValues": ExpressionAttributeValues.json,
            ]
            members["ExclusiveStartKey"] = ExclusiveStartKey?.json
            members["Limit"] = Limit.map(JSONValue.integer)
            return .object(members)
        }
    }

    struct ScanInput {
        let TableName: String
        let ProjectionExpression: String
        let ExpressionAttributeNames: [String: String]
        let Segment: Int
        let TotalSegments: Int
        let ExclusiveStartKey: DynamoItem?
        let Limit: Int?

        var json: JSONValue {
            var members: [String: JSONValue] = [
                "TableName": .string(TableName), "ProjectionExpression": .string(ProjectionExpression),
                "ExpressionAttributeNames": .object(ExpressionAttributeNames.mapValues(JSONValue.string)),
                "Segment": .integer(Segment), "TotalSegments": .integer(TotalSegments),
            ]
            members["ExclusiveStartKey"] = ExclusiveStartKey?.json
            members["Limit"] = Limit.map(JSONValue.integer)
            return .object(members)
        }
    }

    /// One Query page, with `attributes` of each item.
    func query(_ input: QueryInput, attributes: [String]) async throws -> DynamoPage {
        try page("Query", try await call("Query", input.json), attributes: attributes)
    }

    /// One Scan page, with `attributes` of each item.
    func scan(_ input: ScanInput, attributes: [String]) async throws -> DynamoPage {
        try page("Scan", try await call("Scan", input.json), attributes: attributes)
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
        struct WriteRequest: Decodable {
            struct Delete: Decodable { let Key: DynamoItem }
            let DeleteRequest: Delete?
        }
        struct Output: Decodable { let UnprocessedItems: [String: [WriteRequest]]? }
        let requests = keys.map { key -> JSONValue in ["DeleteRequest": ["Key": key.json]] }
        let output = try decode(Output.self, try await call("BatchWriteItem", ["RequestItems": .object([table: .array(requests)])]))
        return (output.UnprocessedItems?[table] ?? []).compactMap(\.DeleteRequest?.Key)
    }

    func putItem(_ item: DynamoItem) async throws {
        _ = try await call("PutItem", ["TableName": .string(table), "Item": item.json])
    }

    private func call(_ operation: String, _ input: JSONValue) async throws -> [UInt8] {
        do {
            return try await aws.json(
                .dynamoDB, target: "DynamoDB_20120810.\(operation)", body: input.encoded(), region: region,
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
