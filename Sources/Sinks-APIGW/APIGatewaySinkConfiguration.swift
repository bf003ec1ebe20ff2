import AWSCore
import RouterCore

/// `type: apigw`: posts to connections through the API Gateway Management API.
///
/// ```yaml
/// websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}", store: connections, max_in_flight: 256 }
/// ```
/// Options: `endpoint` (required), `store` (default `connections`), `max_in_flight`
/// (default 256), `region` (default: from an execute-api host, else the AWS region),
/// `timeout` per post (default 5s).
public struct APIGatewaySinkConfiguration: SinkConfiguration {
    public let endpoint: ManagementEndpoint
    public let store: ConfigReference
    public let maxInFlight: Int
    public let region: String?
    public let timeout: Duration

    public init(options: inout ConfigMapping) throws(ConfigError) {
        let endpointValue = try options.required("endpoint", expected: "the management API URL, https://<api>.execute-api.<region>.amazonaws.com/<stage>")
        let text = try endpointValue.nonEmptyString(expected: "an https URL")
        guard let endpoint = ManagementEndpoint(text) else {
            throw endpointValue.error(
                "'\(text)' is not a management API URL; expected https://<api>.execute-api.<region>.amazonaws.com/<stage> "
                    + "or a custom domain with its base path, without query or fragment")
        }
        self.endpoint = endpoint
        if let storeValue = options.optional("store") {
            store = ConfigReference(.connectionStore, try storeValue.nonEmptyString(), at: storeValue)
        } else {
            store = ConfigReference(.connectionStore, "connections", at: options.node)
        }
        maxInFlight = try options.optional("max_in_flight")?.int(in: 1...4096) ?? 256
        if let regionValue = options.optional("region") {
            let name = try regionValue.nonEmptyString()
            guard AWSRegion.isValid(name) else { throw regionValue.error("'\(name)' is not an AWS region; expected a name such as us-east-1") }
            region = name
        } else {
            region = endpoint.region
        }
        timeout = try options.optional("timeout")?.duration() ?? .seconds(5)
    }

    public var settings: [ConfigSetting] {
        [
            ConfigSetting("endpoint", endpoint.display),
            ConfigSetting("store", store.name),
            ConfigSetting("max_in_flight", "\(maxInFlight)"),
            ConfigSetting("region", region ?? "(from AWS_REGION)"),
            ConfigSetting("timeout", duration: timeout),
        ]
    }

    public func makeSink(_ context: PluginContext) throws(PluginBuildError) -> any Sink {
        let aws = try context.resource(AWSAccess.self)
        guard let region = aws.region(region) else {
            throw PluginBuildError(.missingSetting, "no AWS region to sign posts to \(endpoint.display) with: set AWS_REGION, or 'region' on this sink")
        }
        return APIGatewaySink(configuration: self, aws: aws.client, region: region, metrics: context.metrics)
    }
}
