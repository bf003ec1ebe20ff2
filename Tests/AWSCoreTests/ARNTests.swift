import AWSCore
import Testing

@Suite("ARN and region names")
struct ARNTests {
    @Test("an ARN splits into its six fields; the resource may contain colons")
    func parses() throws {
        let arn = try #require(ARN("arn:aws:sns:eu-west-1:123456789012:alerts:extra"))
        #expect(arn.partition == "aws" && arn.service == "sns" && arn.region == "eu-west-1")
        #expect(arn.account == "123456789012" && arn.resource == "alerts:extra")
        #expect(arn.description == "arn:aws:sns:eu-west-1:123456789012:alerts:extra")
    }

    @Test("malformed ARNs are refused", arguments: ["", "arn:aws:sns", "arn::sns:r:a:x", "urn:aws:sns:us-east-1:1:x", "arn:aws:sns:us-east-1:1:"])
    func refuses(_ text: String) {
        #expect(ARN(text) == nil)
    }

    @Test("the partition decides the DNS suffix")
    func dnsSuffix() {
        #expect(ARN("arn:aws-cn:sqs:cn-north-1:1:q")?.dnsSuffix == "amazonaws.com.cn")
        #expect(ARN("arn:aws:sqs:us-east-1:1:q")?.dnsSuffix == "amazonaws.com")
    }

    @Test("region names", arguments: [("us-east-1", true), ("us-gov-west-1", true), ("eu-central-2", true), ("useast1", false), ("US-EAST-1", false), ("us--1", false)])
    func regions(_ name: String, _ valid: Bool) {
        #expect(AWSRegion.isValid(name) == valid)
    }
}
