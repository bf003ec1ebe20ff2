import Foundation
import RouterTestSupport

/// Python (boto3, which comes with moto) against the shared moto_server: fixtures and checks
/// for the end-to-end tests. Scripts get the clients `ddb`, `sqs` and `sns`, and `json`.
enum MotoScripts {
    static func run(_ script: String) throws -> String {
        let prelude = """
            import boto3, json, sys
            kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
            ddb = boto3.client("dynamodb", **kw); sqs = boto3.client("sqs", **kw); sns = boto3.client("sns", **kw)

            """
        let result = try CommandResult.run(URL(fileURLWithPath: try TestPeers.requirePython()), ["-c", prelude + script, try TestPeers.requireMoto()])
        guard result.status == 0 else { throw ProcessWaitError(message: "boto3 failed: \(result.standardError)") }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The environment that points the binary at moto.
    static func awsEnvironment(home: String = NSTemporaryDirectory()) throws -> [String: String] {
        ["AWS_ENDPOINT_URL": try TestPeers.requireMoto(), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1", "HOME": home]
    }

    /// A connection table (hash user_id, range connection_id) holding `connections`.
    static func createTable(_ table: String, _ connections: [String: [String]]) throws {
        let items = connections.flatMap { user, ids in ids.map { [user, $0] } }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: items), as: UTF8.self)
        _ = try run("""
            ddb.create_table(TableName="\(table)", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "connection_id", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}, {"AttributeName": "connection_id", "AttributeType": "S"}])
            for user, connection in json.loads('\(json)'):
                ddb.put_item(TableName="\(table)", Item={"user_id": {"S": user}, "connection_id": {"S": connection}})
            """)
    }

    /// Every item of `table`, each attribute as text.
    static func items(_ table: String) throws -> [[String: String]] {
        let text = try run("""
            items = ddb.scan(TableName="\(table)")["Items"]
            print(json.dumps([{k: list(v.values())[0] for k, v in item.items()} for item in items]))
            """)
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: String]]) ?? []
    }
}
