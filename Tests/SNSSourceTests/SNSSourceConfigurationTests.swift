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

    @Test("raw_delivery needs basic_auth; the password is never printed")
    func rawDeliveryNeedsCredentials() throws {
        #expect(ConfigFixture.error(SNSSourceConfiguration.self, "topic: arn:aws:sns:us-east-1:1:t\nraw_delivery: true")
            == "test.yaml:2:15: raw_delivery: raw_delivery: true needs basic_auth: raw messages are not signed, so only the credentials show that SNS sent them")
        let configuration = try ConfigFixture.configuration(
            SNSSourceConfiguration.self, "topic: arn:aws:sns:us-east-1:1:t\nraw_delivery: true\nbasic_auth: { user: sns, password: \"${PASSWORD}\" }",
            variables: ["PASSWORD": "hunter2"])
        #expect(configuration.basicAuth?.user == "sns" && configuration.basicAuth?.password == "hunter2")
        #expect(!configuration.settings.contains { $0.value.contains("hunter2") })
        #expect(configuration.maxMessageAge == .seconds(3600))
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
