import AWSCore
import RouterCore
import RouterTestSupport
import SNSSource
import Testing

@Suite("SNS source options")
struct SNSSourceConfigurationTests {
    @Test("a topic ARN is read and printed as is")
    func topic() throws {
        let configuration = try ConfigFixture.configuration(SNSSourceConfiguration.self, "topic: arn:aws:sns:us-east-1:123456789012:notifications")
        #expect(configuration.topic.resource == "notifications")
        #expect(configuration.settings.first?.value == "arn:aws:sns:us-east-1:123456789012:notifications")
    }

    @Test("anything but an SNS topic ARN is refused with the expected form", arguments: [
        "topic: arn:aws:sqs:us-east-1:1:q", "topic: notifications", "topic: arn:aws:sns:nowhere:1:t", "topic: \"\"",
    ])
    func refuses(_ yaml: String) {
        let error = ConfigFixture.error(SNSSourceConfiguration.self, yaml)
        #expect(error?.contains("test.yaml:1:8: topic:") == true)
        #expect(error?.contains("arn:aws:sns:<region>:<account>:<topic>") == true || error?.contains("got an empty string") == true)
    }
}
