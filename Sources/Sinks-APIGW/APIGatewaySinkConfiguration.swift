import AWSCore
import RouterCore

/// `type: apigw`: posts to connections through the API Gateway Management API.
///
/// ```yaml
/// websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}", store: connections, max_in_flight: 256 }
/// ```
/// Options: `endpoint` (required), `store` (default `connections`), `max_in_flight`
/// (default 256), `region` (default: from an execute-api host, else the AWS region),
/// `timeout` per post (default 5s), and the posting budget shared by every fan-out of the
/// process (``PostingBudget``): `rate` (posts per second, or `adaptive`; default none),
/// `burst` (default a tenth of `rate`, or 10 when adaptive), `max_rate` (the adaptive
/// rate's ceiling, default 10000: API Gateway's default account budget), `ca_file` (a PEM
/// file of the certificates to trust for an `https` endpoint instead of the system's: a
/// private CA, a local gateway with a self-signed certificate).
public struct APIGatewaySinkConfiguration: SinkConfiguration {
    public let endpoint: ManagementEndpoint
    public let store: ConfigReference
    public let maxInFlight: Int
    public let region: String?
    public let timeout: Duration
    /// The posting budget's rate and burst; `nil`: posts are limited only by `max_in_flight`.
    public let budget: (rate: PostingBudget.Rate, burst: Int)?
    /// Certificates to trust for the endpoint instead of the system's; nil: the system's.
    public let caFile: String?

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
        budget = try Self.budget(&options)
        caFile = try options.optional("ca_file")?.nonEmptyString(expected: "the path of a PEM file")
    }

    private static func budget(_ options: inout ConfigMapping) throws(ConfigError) -> (rate: PostingBudget.Rate, burst: Int)? {
        let rateValue = options.optional("rate")
        let maxRateValue = options.optional("max_rate")
        let burstValue = options.optional("burst")
        guard let rateValue else {
            if let stray = maxRateValue ?? burstValue { throw stray.error("'burst' and 'max_rate' need 'rate' (posts per second, or adaptive)") }
            return nil
        }
        let rateText = try? rateValue.string()
        let rate: PostingBudget.Rate
        if rateText == "adaptive" {
            rate = .adaptive(maximum: Double(try maxRateValue?.int(in: 1...1_000_000) ?? 10_000))
        } else {
            if let maxRateValue { throw maxRateValue.error("'max_rate' applies to 'rate: adaptive' only") }
            guard let perSecond = try? rateValue.int(in: 1...1_000_000) else {
                throw rateValue.error("expected posts per second (an integer from 1 to 1000000) or 'adaptive', got '\(rateText ?? "?")'")
            }
            rate = .fixed(Double(perSecond))
        }
        let defaultBurst: Int
        switch rate {
        case .fixed(let perSecond): defaultBurst = max(1, Int(perSecond) / 10)
        case .adaptive: defaultBurst = 10
        }
        return (rate, try burstValue?.int(in: 1...1_000_000) ?? defaultBurst)
    }

    public var settings: [ConfigSetting] {
        [
            ConfigSetting("endpoint", endpoint.display),
            ConfigSetting("store", store.name),
            ConfigSetting("max_in_flight", "\(maxInFlight)"),
            ConfigSetting("ca_file", caFile ?? "(the system's trust roots)"),
            ConfigSetting("region", region ?? "(from AWS_REGION)"),
            ConfigSetting("timeout", duration: timeout),
        ] + budgetSettings
    }

    private var budgetSettings: [ConfigSetting] {
        switch budget {
        case nil: [ConfigSetting("rate", "unlimited")]
        case (.fixed(let perSecond), let burst)?: [ConfigSetting("rate", "\(Int(perSecond))"), ConfigSetting("burst", "\(burst)")]
        case (.adaptive(let maximum), let burst)?:
            [ConfigSetting("rate", "adaptive"), ConfigSetting("max_rate", "\(Int(maximum))"), ConfigSetting("burst", "\(burst)")]
        }
    }

    public func makeSink(_ context: PluginContext) throws(PluginBuildError) -> any Sink {
        let aws = try context.resource(AWSAccess.self)
        guard let region = aws.region(region) else {
            throw PluginBuildError(.missingSetting, "no AWS region to sign posts to \(endpoint.display) with: set AWS_REGION, or 'region' on this sink")
        }
        do {
            return try APIGatewaySink(configuration: self, aws: aws.client, region: region, metrics: context.metrics)
        } catch {
            throw PluginBuildError(.component, "cannot set up TLS for \(endpoint.display): \(error)")
        }
    }
}
