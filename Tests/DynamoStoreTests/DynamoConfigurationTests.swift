import AWSCore
import AsyncHTTPClient
import RouterCore
import DynamoStore
import RouterTestSupport
import Testing

@Suite("DynamoDB store options")
struct DynamoConfigurationTests {
    @Test("defaults match the original pusher's table")
    func defaults() throws {
        let configuration = try ConfigFixture.configuration(DynamoStoreConfiguration.self, "table: connections")
        #expect(configuration.userKey == "user_id" && configuration.connectionKey == "connection_id")
        #expect(configuration.expiresAttribute == nil && configuration.scanSegments == 4 && configuration.queryConcurrency == 16)
    }

    @Test("every option is read")
    func options() throws {
        let configuration = try ConfigFixture.configuration(DynamoStoreConfiguration.self, """
            table: "${TABLE}"
            region: ap-southeast-2
            user_key: uid
            connection_key: cid
            expires_attribute: expires_at
            scan_segments: 8
            query_concurrency: 64
            """, variables: ["TABLE": "prod-connections"])
        #expect(configuration.table == "prod-connections" && configuration.region == "ap-southeast-2")
        #expect(configuration.userKey == "uid" && configuration.connectionKey == "cid" && configuration.expiresAttribute == "expires_at")
        #expect(configuration.scanSegments == 8 && configuration.queryConcurrency == 64)
    }

    @Test("an endpoint setting that is not a URL fails the store's build, naming the settings to check")
    func endpointNotAURL() throws {
        let configuration = try ConfigFixture.configuration(DynamoStoreConfiguration.self, "table: connections")
        let client = AWSClient(
            httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "A", secretAccessKey: "s")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": "localhost:8000"]))
        let context = PluginContext(resources: [AWSAccess(client: client, defaultRegion: "eu-west-1")])
        let error = #expect(throws: PluginBuildError.self) { _ = try configuration.makeStore(context) }
        #expect(error?.code == .invalidSetting)
        #expect(error?.message.contains("AWS_ENDPOINT_URL_DYNAMODB") == true, "\(String(describing: error))")
    }

    @Test("room directory defaults")
    func rooms() throws {
        let configuration = try ConfigFixture.configuration(DynamoRoomsConfiguration.self, "table: rooms")
        #expect(configuration.roomKey == "room_id" && configuration.userKey == "user_id")
    }

    @Test("table names follow DynamoDB's rule", arguments: [
        ("table: ab", "test.yaml:1:8: table: 'ab' is not a DynamoDB table name; expected 3 to 255 characters from a-z, A-Z, 0-9, '_', '-', '.'"),
        ("table: \"my table\"", "test.yaml:1:8: table: 'my table' is not a DynamoDB table name; expected 3 to 255 characters from a-z, A-Z, 0-9, '_', '-', '.'"),
        ("table: t12\nscan_segments: 65", "test.yaml:2:16: scan_segments: expected an integer from 1 to 64, got '65'"),
        ("region: us-east-1", "test.yaml:1:1: missing key 'table' (expected a DynamoDB table name)"),
    ])
    func refuses(_ yaml: String, _ expected: String) {
        #expect(ConfigFixture.error(DynamoStoreConfiguration.self, yaml) == expected)
    }
}
