import APIGatewaySink
import Logging
import RouterCore
import RouterTestSupport
import Testing

/// The API Gateway `$connect`/`$disconnect` side of the connection store.
@Suite("connection lifecycle")
struct ConnectionLifecycleTests {
    @Test("CONNECT_USER_ID: query:NAME or authorizer:KEY, query:user_id by default")
    func userIDSource() {
        #expect(ConnectionLifecycle.UserIDSource(nil) == .queryParameter("user_id"))
        #expect(ConnectionLifecycle.UserIDSource("authorizer:principalId") == .authorizer("principalId"))
        #expect(ConnectionLifecycle.UserIDSource("query:uid") == .queryParameter("uid"))
        #expect(ConnectionLifecycle.UserIDSource("header:x") == nil)
        #expect(ConnectionLifecycle.UserIDSource("query:") == nil)
    }

    @Test("$disconnect finds the owner in the store when the user id is not in the event")
    func disconnectFindsOwner() async {
        let store = MemoryConnectionStore(connections: [Connection(userID: "ann", connectionID: "c1"), Connection(userID: "bob", connectionID: "c2")])
        let lifecycle = ConnectionLifecycle(store: store, userID: .queryParameter("user_id"))
        let answer = await lifecycle.handle(["requestContext": ["eventType": "DISCONNECT", "connectionId": "c1"]], logger: Logger(label: "test"))
        #expect(String(decoding: answer, as: UTF8.self) == #"{"statusCode":200}"#)
        #expect(await store.all == [Connection(userID: "bob", connectionID: "c2")])
    }
}

extension ConnectionLifecycleTests {
    @Test("$connect with the user id from the query string and no authorizer warns once; with an authorizer, never")
    func unauthenticatedWarning() async {
        let lines = LogLines()
        let logger = lines.logger()
        let open = ConnectionLifecycle(store: MemoryConnectionStore(), userID: .queryParameter("user_id"))
        for id in ["c1", "c2"] {
            _ = await open.handle(["requestContext": ["eventType": "CONNECT", "connectionId": .string(id)], "queryStringParameters": ["user_id": "ann"]], logger: logger)
        }
        #expect(lines.all.filter { $0.contains("connect_unauthenticated") }.count == 1)
        let guarded = ConnectionLifecycle(store: MemoryConnectionStore(), userID: .queryParameter("user_id"))
        _ = await guarded.handle(
            ["requestContext": ["eventType": "CONNECT", "connectionId": "c3", "authorizer": ["principalId": "ann"]], "queryStringParameters": ["user_id": "ann"]],
            logger: logger)
        #expect(lines.all.filter { $0.contains("connect_unauthenticated") }.count == 1)
    }
}
