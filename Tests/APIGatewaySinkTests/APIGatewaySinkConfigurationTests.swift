import AWSCore
import RouterCore
import APIGatewaySink
import RouterTestSupport
import Testing

@Suite("API Gateway sink options")
struct APIGatewaySinkConfigurationTests {
    @Test("an execute-api endpoint keeps its stage and gives its region")
    func executeAPI() throws {
        let configuration = try ConfigFixture.configuration(
            APIGatewaySinkConfiguration.self, "endpoint: https://abc123.execute-api.eu-west-1.amazonaws.com/production/")
        #expect(configuration.endpoint.basePath == "/production")
        #expect(configuration.region == "eu-west-1")
        #expect(configuration.maxInFlight == 256 && configuration.store.name == "connections")
        #expect(configuration.timeout == .seconds(5))
    }

    @Test("a ca_file that cannot be read fails the sink's build, naming the file")
    func unreadableCAFile() throws {
        let configuration = try ConfigFixture.configuration(
            APIGatewaySinkConfiguration.self, "endpoint: https://live.example.com/push\nregion: us-west-2\nca_file: /nonexistent/ca.pem")
        let aws = AWSClient(
            transport: KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: 9, maxConnections: 1),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret")),
            endpoints: AWSEndpoints(environment: [:]))
        do {
            _ = try APIGatewaySink(configuration: configuration, aws: aws, region: "us-west-2")
            Issue.record("a sink with an unreadable ca_file was built")
        } catch {
            #expect("\(error)".contains("/nonexistent/ca.pem"))
        }
    }

    @Test("WebSocket and connection URLs are normalised to the management API base")
    func normalises() {
        #expect(ManagementEndpoint("wss://abc.execute-api.us-east-1.amazonaws.com/dev")?.display == "https://abc.execute-api.us-east-1.amazonaws.com/dev")
        #expect(ManagementEndpoint("https://abc.execute-api.us-east-1.amazonaws.com/dev/@connections")?.basePath == "/dev")
        #expect(ManagementEndpoint("ws://127.0.0.1:8080")?.display == "http://127.0.0.1:8080")
    }

    @Test("a custom domain keeps its base path; its region comes from configuration")
    func customDomain() throws {
        let configuration = try ConfigFixture.configuration(
            APIGatewaySinkConfiguration.self, "endpoint: https://live.example.com/push\nregion: us-west-2\nmax_in_flight: 64\ntimeout: 2s")
        #expect(configuration.endpoint.host == "live.example.com" && configuration.endpoint.basePath == "/push")
        #expect(configuration.region == "us-west-2" && configuration.maxInFlight == 64 && configuration.timeout == .seconds(2))
    }

    @Test("the posting budget: none by default; a fixed rate's burst defaults to a tenth of it; adaptive to 10, up to max_rate 10000")
    func budget() throws {
        let plain = try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: https://a.example.com")
        #expect(plain.budget == nil && plain.settings.contains(ConfigSetting("rate", "unlimited")))
        let fixed = try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: https://a.example.com\nrate: 2000")
        #expect(fixed.budget?.rate == .fixed(2000) && fixed.budget?.burst == 200)
        let adaptive = try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: https://a.example.com\nrate: adaptive")
        #expect(adaptive.budget?.rate == .adaptive(maximum: 10_000) && adaptive.budget?.burst == 10)
        let tuned = try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: https://a.example.com\nrate: adaptive\nmax_rate: 2500\nburst: 50")
        #expect(tuned.budget?.rate == .adaptive(maximum: 2500) && tuned.budget?.burst == 50)
        #expect(tuned.settings.contains(ConfigSetting("max_rate", "2500")))
    }

    @Test("credentials in the URL are never printed")
    func masksCredentials() throws {
        let configuration = try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: https://user:secret@live.example.com/push")
        #expect(!configuration.settings.map(\.value).joined().contains("secret"))
        #expect(configuration.endpoint.display == "https://****@live.example.com/push")
    }

    @Test("bad values name the key and the expected form", arguments: [
        ("endpoint: ftp://x/y", "test.yaml:1:11: endpoint: 'ftp://x/y' is not a management API URL; expected https://<api>.execute-api.<region>.amazonaws.com/<stage> or a custom domain with its base path, without query or fragment"),
        ("endpoint: https://a.example.com/?stage=1", "test.yaml:1:11: endpoint: 'https://a.example.com/?stage=1' is not a management API URL; expected https://<api>.execute-api.<region>.amazonaws.com/<stage> or a custom domain with its base path, without query or fragment"),
        ("endpoint: https://a.example.com\nmax_in_flight: 0", "test.yaml:2:16: max_in_flight: expected an integer from 1 to 4096, got '0'"),
        ("endpoint: https://a.example.com\nregion: moon", "test.yaml:2:9: region: 'moon' is not an AWS region; expected a name such as us-east-1"),
        ("endpoint: https://a.example.com\nrate: fast", "test.yaml:2:7: rate: expected posts per second (an integer from 1 to 1000000) or 'adaptive', got 'fast'"),
        ("endpoint: https://a.example.com\nrate: 100\nmax_rate: 500", "test.yaml:3:11: max_rate: 'max_rate' applies to 'rate: adaptive' only"),
        ("endpoint: https://a.example.com\nburst: 5", "test.yaml:2:8: burst: 'burst' and 'max_rate' need 'rate' (posts per second, or adaptive)"),
        ("endpoint: https://a.example.com\nrate: adaptive\nburst: 0", "test.yaml:3:8: burst: expected an integer from 1 to 1000000, got '0'"),
    ])
    func refuses(_ yaml: String, _ expected: String) {
        #expect(ConfigFixture.error(APIGatewaySinkConfiguration.self, yaml) == expected)
    }
}
