// The post path in pieces, each measured for CPU time and allocations per operation, so that
// a regression shows up as a number (issue 17). Everything runs in memory: no sockets, no
// backends; each benchmark drives the product's public API with canned answers.

import AWSCore
import Benchmark
import DynamoStore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import RouterCore

/// Answers every request with the same response, at once.
struct CannedTransport: AWSTransport {
    let response: AWSHTTPResponse

    init(status: Int = 200, body: String = "") {
        response = AWSHTTPResponse(status: status, headers: [:], body: ByteBuffer(string: body))
    }

    func send(_ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int) async throws -> AWSHTTPResponse {
        response
    }

    func start(
        _ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int,
        completion: @escaping @Sendable (Result<AWSHTTPResponse, any Error>) -> Void
    ) {
        completion(.success(response))
    }
}

let credentials = CachingCredentialProvider(StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "micro")))
let payload = Array(repeating: UInt8(ascii: "x"), count: 1024)
let payloadHash = SigV4Signer.payloadHash(payload)
let signer = SigV4Signer(service: "execute-api", region: "eu-west-1")
let endpoint = EndpointURL(scheme: "https", host: "abc123.execute-api.eu-west-1.amazonaws.com", port: nil, basePath: "/prod")

/// One Scan page of `count` connections, as DynamoDB writes it (`Items`, `LastEvaluatedKey`).
func scanPage(count: Int) -> String {
    let items = (0..<count).map { index in
        #"{"user_id":{"S":"user-\#(index % 200)"},"connection_id":{"S":"Ab\#(index)CdEfGhIjK="}}"#
    }
    return #"{"Count":\#(count),"Items":[\#(items.joined(separator: ","))],"LastEvaluatedKey":{"user_id":{"S":"user-7"},"connection_id":{"S":"Zz9="}},"ScannedCount":\#(count)}"#
}

func dynamoStore(answering body: String) throws -> DynamoConnectionStore {
    var options = try ConfigValue.load(yaml: "table: connections", file: "micro").mapping()
    let configuration = try DynamoStoreConfiguration(options: &options)
    try options.finish()
    let aws = AWSClient(transport: CannedTransport(body: body), credentials: credentials, endpoints: AWSEndpoints(environment: [:]))
    return DynamoConnectionStore(configuration: configuration, aws: aws, region: "eu-west-1")
}

/// Per operation: wall time in nanoseconds (the work is single-threaded but for the fan-out, and
/// getrusage here counts CPU in 10 ms ticks; perf counters are not available) and mallocs.
func perOperation(_ scaling: BenchmarkScalingFactor) -> Benchmark.Configuration {
    .init(metrics: [.wallClock, .mallocCountTotal, .throughput], timeUnits: .nanoseconds, scalingFactor: scaling, maxDuration: .seconds(3))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark("Sign one post (SigV4, key cached)", configuration: perOperation(.kilo)) { benchmark in
        let date = Date()
        let keys = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "micro")
        for index in benchmark.scaledIterations {
            let request = SigV4Signer.Request(
                method: "POST", path: "/prod/@connections/Ab\(index)CdEfGhIjK%3D", headers: [(name: "Host", value: endpoint.host)],
                payloadHash: payloadHash)
            blackHole(signer.signatureHeaders(for: request, credentials: keys, date: date))
        }
    }

    Benchmark("Build, sign and hand over one post (AWSClient.startAttempt)", configuration: perOperation(.kilo)) { benchmark in
        let aws = AWSClient(transport: CannedTransport(), credentials: credentials, endpoints: AWSEndpoints(environment: [:]))
        let body = ByteBuffer(bytes: payload)
        // The first attempt fetches the credentials; the measured ones sign with them as kept.
        _ = try await aws.attempt(
            AWSRequest(method: "POST", path: "/@connections/first", body: body, payloadHash: payloadHash), at: endpoint, signer: signer,
            timeout: .seconds(5), responseLimit: 65536)
        for index in benchmark.scaledIterations {
            let request = AWSRequest(method: "POST", path: "/@connections/" + URIEncoding.encode("Ab\(index)CdEfGhIjK="), body: body, payloadHash: payloadHash)
            aws.startAttempt(request, at: endpoint, signer: signer, timeout: .seconds(5), responseLimit: 65536) { blackHole($0) }
        }
    }

    Benchmark("Read one Scan page of 1,000 connections", configuration: perOperation(.one)) { benchmark in
        let store = try dynamoStore(answering: scanPage(count: 1000))
        for _ in benchmark.scaledIterations {
            blackHole(try await store.scanPage(segment: 0, of: 4, after: nil))
        }
    }

    Benchmark("Read the connections of 100 users (100 Queries of 2 items)", configuration: perOperation(.one)) { benchmark in
        let store = try dynamoStore(answering: scanPage(count: 2).replacingOccurrences(of: #","LastEvaluatedKey":{"user_id":{"S":"user-7"},"connection_id":{"S":"Zz9="}}"#, with: ""))
        let users = (0..<100).map { "user-\($0)" }
        for _ in benchmark.scaledIterations {
            try await store.connections(of: users).forEach { blackHole($0) }
        }
    }

    Benchmark("Fan-out engine, 1,000 connections answered at once on an event loop", configuration: perOperation(.one)) { benchmark in
        let connections = (0..<1000).map { Connection(userID: "user-\($0 % 200)", connectionID: "c\($0)") }
        let fanOut = FanOut(maxInFlight: 256) { RetryPolicy.posts.delay(after: $0) }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        for _ in benchmark.scaledIterations {
            blackHole(await fanOut.run(.batches([connections]), deadline: .now + .seconds(60)) { _, finished in
                loop.execute { finished(.delivered) }
            })
        }
    }
}
