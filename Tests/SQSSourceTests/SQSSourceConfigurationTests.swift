import AWSCore
import RouterCore
import RouterTestSupport
import SQSSource
import Testing

@Suite("SQS source options")
struct SQSSourceConfigurationTests {
    @Test("a queue URL gives its ARN, and an ARN its URL")
    func urlAndARN() throws {
        let byURL = try ConfigFixture.configuration(SQSSourceConfiguration.self, "queue: https://sqs.eu-west-1.amazonaws.com/123456789012/jobs")
        #expect(byURL.queue?.arn.description == "arn:aws:sqs:eu-west-1:123456789012:jobs")
        let byARN = try ConfigFixture.configuration(SQSSourceConfiguration.self, "queue: arn:aws:sqs:eu-west-1:123456789012:jobs")
        #expect(byARN.queue?.url == "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs")
        #expect(byARN.queue == byURL.queue)
    }

    @Test("legacy and China URLs are understood")
    func otherURLs() throws {
        #expect(SQSQueue("https://us-west-2.queue.amazonaws.com/1/q")?.arn.description == "arn:aws:sqs:us-west-2:1:q")
        #expect(SQSQueue("https://sqs.cn-north-1.amazonaws.com.cn/1/q")?.arn.description == "arn:aws-cn:sqs:cn-north-1:1:q")
    }

    @Test("a local test server URL needs a region, and then works")
    func localURL() throws {
        #expect(ConfigFixture.error(SQSSourceConfiguration.self, "queue: http://127.0.0.1:5000/jobs")
            == "test.yaml:1:8: queue: 'http://127.0.0.1:5000/jobs' is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>, or <endpoint>/<account>/<name>) or ARN (arn:aws:sqs:<region>:<account>:<name>)")
        let local = try ConfigFixture.configuration(SQSSourceConfiguration.self, "queue: http://127.0.0.1:5000/123456789012/jobs\nregion: us-east-1")
        #expect(local.queue?.arn.description == "arn:aws:sqs:us-east-1:123456789012:jobs")
        #expect(local.queue?.url == "http://127.0.0.1:5000/123456789012/jobs")
        // Without `region`, the environment's region at start, as LocalStack and moto users expect.
        let localStack = try ConfigFixture.configuration(SQSSourceConfiguration.self, "queue: http://localhost:4566/000000000000/q")
        #expect(localStack.queue == nil)
        #expect(localStack.queue(defaultRegion: "eu-west-3")?.arn.description == "arn:aws:sqs:eu-west-3:000000000000:q")
        #expect(localStack.queue(defaultRegion: nil) == nil)
    }

    @Test("visibility_timeout is SQS's range, 1s to 12h")
    func visibilityRange() {
        #expect(ConfigFixture.error(SQSSourceConfiguration.self, "queue: arn:aws:sqs:us-east-1:1:q\nvisibility_timeout: 13h")
            == "test.yaml:2:21: visibility_timeout: expected a duration from 1s to 12h, got '13h'")
        #expect(ConfigFixture.error(SQSSourceConfiguration.self, "queue: arn:aws:sqs:us-east-1:1:q\nvisibility_timeout: 500ms")?.contains("from 1s to 12h") == true)
        #expect(ConfigFixture.error(SQSSourceConfiguration.self, "queue: arn:aws:sqs:us-east-1:1:q\nvisibility_timeout: 12h") == nil)
    }

    @Test("other ARNs and unknown keys are refused")
    func refuses() {
        #expect(ConfigFixture.error(SQSSourceConfiguration.self, "queue: arn:aws:sns:us-east-1:1:topic")?.contains("is not an SQS queue URL") == true)
        #expect(ConfigFixture.error(SQSSourceConfiguration.self, "{}") == "test.yaml:1:1: missing key 'queue' (expected a queue URL or ARN)")
        #expect(ConfigFixture.error(SQSSourceConfiguration.self, "queue: arn:aws:sqs:us-east-1:1:q\nqueues: x")
            == "test.yaml:2:1: queues: unknown key 'queues'; expected one of: queue, region, sns_envelope, pollers, visibility_timeout, retry_delay, wait_time")
    }
}
