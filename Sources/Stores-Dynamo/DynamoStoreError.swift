import AWSCore

/// A DynamoDB call of a store failed. The message names the table, the region and the
/// operation, then AWS's error (code, message, HTTP status, request id).
public struct DynamoStoreError: Error, Sendable, CustomStringConvertible {
    public let table: String
    public let region: String
    public let operation: String
    public let underlying: AWSError

    public var description: String {
        "DynamoDB \(operation) on table '\(table)' in \(region) failed: \(underlying)"
    }
}
