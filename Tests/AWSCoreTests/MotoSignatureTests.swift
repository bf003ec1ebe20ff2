import AWSCore
import AsyncHTTPClient
import Foundation
import RouterTestSupport
import Testing

/// The signer against a real peer: moto_server with signature checking turned on.
@Suite("SigV4 against moto_server")
struct MotoSignatureTests {
    /// Turns auth on after the three IAM calls that create a user with full rights, and
    /// prints that user's access key.
    static let setup = """
        import boto3, json, sys, urllib.request
        url = sys.argv[1]
        urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset-auth", data=b"3", method="POST", headers={"Content-Type": "text/plain"}))
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="router-test")
        iam.put_user_policy(UserName="router-test", PolicyName="all", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="router-test")["AccessKey"]
        print(key["AccessKeyId"], key["SecretAccessKey"])
        """

    @Test("a correct signature passes and a wrong secret gets SignatureDoesNotMatch")
    func signatureChecked() async throws {
        let moto = try MotoServer.start()
        defer { moto.stop() }
        let keys = try moto.python(Self.setup).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(keys.count == 2)
        let endpoints = AWSEndpoints(environment: ["AWS_ENDPOINT_URL": moto.url])
        func listTables(secret: String) async throws(AWSError) -> [UInt8] {
            let client = AWSClient(
                httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: keys[0], secretAccessKey: secret)),
                endpoints: endpoints, retry: .jitter(maxAttempts: 1))
            return try await client.json(.dynamoDB, target: "DynamoDB_20120810.ListTables", body: Array("{}".utf8), region: "us-east-1", deadline: .now + .seconds(60))
        }
        let answer = try await listTables(secret: keys[1])
        #expect(String(decoding: answer, as: UTF8.self).contains("TableNames"))
        do {
            _ = try await listTables(secret: "not-the-secret")
            Issue.record("a wrong secret was accepted")
        } catch {
            #expect(error.code == "SignatureDoesNotMatch", "\(error)")
            #expect(error.statusCode == 400 || error.statusCode == 403)
            #expect(!error.description.contains("not-the-secret"))
        }
    }
}
