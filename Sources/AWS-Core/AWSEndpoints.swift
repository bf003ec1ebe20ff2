import FoundationEssentials

/// Where each service is called: `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`,
/// else `https://<prefix>.<region>.amazonaws.com` (the AWS SDKs' convention, so every call
/// can point at a local test server).
public struct AWSEndpoints: Sendable {
    let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The base URL for `service` (its SDK id, e.g. `DynamoDB`, `SQS`) in `region`.
    public func url(service: String, hostPrefix: String, region: String) -> String {
        let key = "AWS_ENDPOINT_URL_" + service.uppercased().replacing(" ", with: "_")
        if let url = environment[key], !url.isEmpty { return url }
        if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty { return url }
        return "https://" + Self.host(prefix: hostPrefix, region: region)
    }

    /// A service's own host in `region`: `<prefix>.<region>.amazonaws.com`
    /// (`.amazonaws.com.cn` in the China regions).
    public static func host(prefix: String, region: String) -> String {
        "\(prefix).\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
    }
}
