/// An Amazon Resource Name, `arn:partition:service:region:account:resource`.
///
/// Parsing checks the shape only (six colon-separated fields, non-empty partition and
/// service); it never contacts AWS.
public struct ARN: Sendable, Hashable, CustomStringConvertible {
    public let partition: String
    public let service: String
    public let region: String
    public let account: String
    public let resource: String

    public init?(_ text: String) {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", !fields[1].isEmpty, !fields[2].isEmpty, !fields[5].isEmpty else {
            return nil
        }
        self.init(partition: String(fields[1]), service: String(fields[2]), region: String(fields[3]),
                  account: String(fields[4]), resource: String(fields[5]))
    }

    public init(partition: String = "aws", service: String, region: String, account: String, resource: String) {
        self.partition = partition
        self.service = service
        self.region = region
        self.account = account
        self.resource = resource
    }

    public var description: String { "arn:\(partition):\(service):\(region):\(account):\(resource)" }

    /// The DNS suffix of the partition's public endpoints.
    public var dnsSuffix: String {
        switch partition {
        case "aws-cn": "amazonaws.com.cn"
        default: "amazonaws.com"
        }
    }
}
