import AWSCore
import FoundationEssentials

/// An SQS queue named by URL or ARN, with both forms known when they can be derived.
///
/// In Lambda mode records carry the queue ARN (`eventSourceARN`); the daemon calls the
/// queue by URL. `https://sqs.us-east-1.amazonaws.com/123456789012/jobs` and
/// `arn:aws:sqs:us-east-1:123456789012:jobs` name the same queue. A URL on another host (a
/// local test server) keeps its URL and derives the ARN from its path and the given region.
public struct SQSQueue: Sendable, Hashable {
    public let url: String
    public let arn: ARN

    /// Reads `text` as a queue URL or ARN; `region` fills in what a non-AWS URL cannot say.
    public init?(_ text: String, region: String? = nil) {
        if let arn = ARN(text) {
            guard arn.service == "sqs", AWSRegion.isValid(arn.region), !arn.account.isEmpty, !arn.resource.contains("/") else {
                return nil
            }
            self.arn = arn
            self.url = "https://sqs.\(arn.region).\(arn.dnsSuffix)/\(arn.account)/\(arn.resource)"
            return
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty
        else { return nil }
        let path = components.path.split(separator: "/")
        guard path.count == 2 else { return nil }
        let hostParts = host.split(separator: ".")
        let derivedRegion: String?
        if hostParts.first == "sqs", hostParts.count >= 4 {
            derivedRegion = String(hostParts[1])  // sqs.<region>.amazonaws.com
        } else if hostParts.count >= 4, hostParts[1] == "queue" {
            derivedRegion = String(hostParts[0])  // <region>.queue.amazonaws.com (legacy)
        } else {
            derivedRegion = nil
        }
        guard let queueRegion = region ?? derivedRegion, AWSRegion.isValid(queueRegion) else { return nil }
        let partition = host.hasSuffix(".com.cn") ? "aws-cn" : "aws"
        self.url = text
        self.arn = ARN(partition: partition, service: "sqs", region: queueRegion, account: String(path[0]), resource: String(path[1]))
    }
}
