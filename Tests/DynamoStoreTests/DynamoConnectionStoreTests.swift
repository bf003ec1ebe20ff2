import AWSCore
import AsyncHTTPClient
import DynamoStore
import Foundation
import RouterCore
import RouterTestSupport
import Synchronization
import Testing

/// The DynamoDB store against moto_server (started by scripts/test.sh).
@Suite("DynamoDB connection store on moto")
struct DynamoConnectionStoreTests {
    static func connections(_ user: String, _ count: Int) -> [Connection] {
        (0..<count).map { Connection(userID: user, connectionID: "\(user)-\($0)=") }
    }

    @Test("a multicast reads every page of every user, each user once")
    func multicastAllPages() async throws {
        let fixture = try await DynamoFixture()
        let store = try fixture.store(pageLimit: 2)
        let stored = Self.connections("alice", 5) + Self.connections("bob", 1) + Self.connections("carol", 3)
        for connection in stored { try await store.put(connection) }
        let batches = try await store.connections(of: ["alice", "bob", "alice", "nobody"]).collect()
        let found = batches.flatMap { $0 }
        #expect(found.count == 6)
        #expect(Set(found) == Set(Self.connections("alice", 5) + Self.connections("bob", 1)))
        #expect(batches.filter { $0.first?.userID == "alice" }.count == 3, "alice's 5 connections come in pages of 2")
    }

    @Test("a parallel scan returns every item exactly once across segments")
    func parallelScan() async throws {
        let fixture = try await DynamoFixture()
        let store = try fixture.store("scan_segments: 4", pageLimit: 3)
        let stored = (0..<40).flatMap { Self.connections("user\($0)", 1 + $0 % 3) }
        for connection in stored { try await store.put(connection) }
        let found = try await store.scan().collect().flatMap { $0 }
        #expect(found.count == stored.count)
        #expect(Set(found) == Set(stored))
    }

    @Test("a slow consumer holds the scan to one page per segment fetched ahead of what it consumed")
    func scanFetchesOnlyWhatIsConsumed() async throws {
        let fixture = try await DynamoFixture()
        for connection in (0..<40).flatMap({ Self.connections("u\($0)", 1) }) { try await fixture.store().put(connection) }
        let proxy = CountingProxy(upstream: try TestPeers.requireMoto())
        let leads = try await proxy.run { url in
            let store = try fixture.store("scan_segments: 2", pageLimit: 2, endpoint: url)
            let progress = Mutex((consumed: 0, leads: [Int]()))
            try await store.scan().forEach { _ in
                try await Task.sleep(for: .milliseconds(20))
                // Pages asked for beyond those handed over and consumed, this one included.
                let fetched = proxy.count("Scan")
                progress.withLock { $0.leads.append(fetched - $0.consumed); $0.consumed += 1 }
            }
            return progress.withLock { $0.leads }
        }
        #expect(leads.count >= 20, "40 items in pages of 2: \(leads.count) pages consumed")
        #expect(leads.allSatisfy { $0 <= 2 }, "at most one page per segment ahead (docs/architecture.md), was \(leads.max() ?? 0)")
    }

    @Test("deleting 60 keys with duplicates removes each once, in batches of 25, without ValidationException")
    func deleteWithDuplicates() async throws {
        let fixture = try await DynamoFixture()
        let store = try fixture.store()
        let stored = Self.connections("alice", 45) + Self.connections("bob", 20)
        for connection in stored { try await store.put(connection) }
        let stale = Array(stored.prefix(40))
        let withDuplicates = stale + stale.prefix(20)  // 60 keys, 40 distinct
        #expect(try await store.delete(withDuplicates) == 40)
        #expect(try await fixture.keys() == Set(stored.dropFirst(40)))
        #expect(try await store.delete(stale) == 40, "deleting keys already gone is not an error")
    }

    @Test("configurable key attribute names")
    func customKeys() async throws {
        let fixture = try await DynamoFixture(hash: "uid", range: "cid")
        let store = try fixture.store("user_key: uid\nconnection_key: cid")
        try await store.put(Connection(userID: "alice", connectionID: "a1"))
        #expect(try await fixture.keys(hash: "uid", range: "cid") == [Connection(userID: "alice", connectionID: "a1")])
        #expect(try await store.connections(of: ["alice"]).collect().flatMap { $0 } == [Connection(userID: "alice", connectionID: "a1")])
    }

    @Test("expired connections are written with an expiry and ignored on read")
    func expiry() async throws {
        let fixture = try await DynamoFixture()
        let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        let store = try fixture.store("expires_attribute: expires_at\nconnection_ttl: 1h", now: { clock.withLock { $0 } })
        try await store.put(Connection(userID: "alice", connectionID: "old"))
        clock.withLock { $0 += 1800 }
        try await store.put(Connection(userID: "alice", connectionID: "new"))
        let item = try await fixture.raw("GetItem", #"{"TableName":"\#(fixture.table)","Key":{"user_id":{"S":"alice"},"connection_id":{"S":"old"}}}"#)
        #expect(item.contains(#""expires_at": {"N": "1800003600"}"#) || item.contains(#""expires_at":{"N":"1800003600"}"#), "\(item)")
        clock.withLock { $0 += 1801 }  // "old" expired, "new" has 1799 s left
        #expect(try await store.connections(of: ["alice"]).collect().flatMap { $0 }.map(\.connectionID) == ["new"])
        #expect(try await store.scan().collect().flatMap { $0 }.map(\.connectionID) == ["new"])
    }

    @Test("a missing table gives an error that names the table and the region")
    func missingTable() async throws {
        let fixture = try await DynamoFixture()
        let store = DynamoConnectionStore(
            configuration: try ConfigFixture.configuration(DynamoStoreConfiguration.self, "table: no-such-table"),
            aws: fixture.aws, region: "eu-west-3")
        do {
            _ = try await store.connections(of: ["alice"]).collect()
            Issue.record("reading a missing table succeeded")
        } catch let error as DynamoStoreError {
            #expect(error.description.contains("table 'no-such-table' in eu-west-3"))
            #expect(error.underlying.code == "ResourceNotFoundException", "\(error)")
        }
    }
}

@Suite("DynamoDB room directory on moto")
struct DynamoRoomDirectoryTests {
    @Test("members of several rooms, every page, each member once")
    func members() async throws {
        let fixture = try await DynamoFixture(hash: "room_id", range: "user_id")
        for (room, user) in [("lobby", "alice"), ("lobby", "bob"), ("lobby", "carol"), ("lobby", "dave"), ("lobby", "erin"), ("vip", "alice"), ("vip", "frank")] {
            _ = try await fixture.raw("PutItem", #"{"TableName":"\#(fixture.table)","Item":{"room_id":{"S":"\#(room)"},"user_id":{"S":"\#(user)"}}}"#)
        }
        let directory = DynamoRoomDirectory(
            configuration: try ConfigFixture.configuration(DynamoRoomsConfiguration.self, "table: \(fixture.table)"),
            aws: fixture.aws, region: DynamoFixture.region, pageLimit: 2)
        #expect(try await directory.members(of: ["lobby", "vip", "lobby", "empty"]) == ["alice", "bob", "carol", "dave", "erin", "frank"])
        #expect(try await directory.members(of: ["empty"]).isEmpty)
    }
}

/// What moto does not enforce: the 25-key limit per BatchWriteItem, and UnprocessedItems.
@Suite("DynamoDB deletes against a fake service")
struct DynamoBatchDeleteTests {
    @Test("deletes go in calls of at most 25 distinct keys; unprocessed keys are sent again until done")
    func batchesAndUnprocessed() async throws {
        let calls = Mutex<[[String]]>([])
        let answered = try await FakeHTTPServer.with({ request in
            guard request.header("X-Amz-Target") == "DynamoDB_20120810.BatchWriteItem",
                  let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: [String: [[String: Any]]]],
                  let requests = object["RequestItems"]?["conns"]
            else { return .json(400, #"{"__type":"ValidationException","message":"unexpected"}"#) }
            let ids = requests.compactMap { (($0["DeleteRequest"] as? [String: Any])?["Key"] as? [String: [String: String]])?["connection_id"]?["S"] }
            let isFirstTry = calls.withLock { calls in
                defer { calls.append(ids) }
                return !calls.contains { !Set($0).isDisjoint(with: ids) }
            }
            guard isFirstTry, ids.count > 1 else { return .json(200, #"{"UnprocessedItems":{}}"#) }
            // Leave the last two keys unprocessed the first time they are sent.
            let unprocessed = requests.suffix(2)
            let body = try! JSONSerialization.data(withJSONObject: ["UnprocessedItems": ["conns": Array(unprocessed)]])
            return FakeResponse(status: 200, headers: [("Content-Type", "application/x-amz-json-1.0")], body: Array(body))
        }) { url in
            let aws = AWSClient(
                httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "A", secretAccessKey: "s")),
                endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": url]))
            let store = DynamoConnectionStore(
                configuration: try ConfigFixture.configuration(DynamoStoreConfiguration.self, "table: conns"), aws: aws, region: "us-east-1",
                retry: .jitter(base: .milliseconds(1), cap: .milliseconds(5)))
            let keys = (0..<60).map { Connection(userID: "u\($0 % 7)", connectionID: "c\($0)") }
            return try await store.delete(keys + keys.prefix(10))
        }
        #expect(answered == 60)
        let sent = calls.withLock { $0 }
        #expect(sent.allSatisfy { $0.count <= 25 && Set($0).count == $0.count })
        #expect(sent.map(\.count) == [25, 2, 25, 2, 10, 2])
        #expect(Set(sent.flatMap { $0 }) == Set((0..<60).map { "c\($0)" }))
    }
}
