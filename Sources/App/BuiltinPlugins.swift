import APIGatewaySink
import DynamoStore
import RouterCore
import SNSSource
import SQSSource

extension PluginRegistry {
    /// Every plugin this binary ships: the core stages and in-memory plugins, DynamoDB,
    /// API Gateway, SQS and SNS. A program embedding the router starts from this and adds
    /// its own with `register`.
    public static var builtin: PluginRegistry {
        var registry = PluginRegistry.core
        registry.register(store: "dynamodb", DynamoStoreConfiguration.self)
        registry.register(roomDirectory: "dynamodb-rooms", DynamoRoomsConfiguration.self)
        registry.register(sink: "apigw", APIGatewaySinkConfiguration.self)
        registry.register(source: "sqs", SQSSourceConfiguration.self)
        registry.register(source: "sns", SNSSourceConfiguration.self)
        return registry
    }
}
