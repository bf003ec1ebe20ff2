import AWSCore
import Crypto
import Foundation
import Testing

@Suite("SigV4 signer")
struct SigV4SignerTests {
    static let exampleCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 2015-08-30T12:36:00Z.
    static let exampleDate = Date(timeIntervalSince1970: 1_440_938_160)

    /// AWS's published example: IAM ListUsers (General Reference, "Create a signed AWS API request").
    static let listUsers = SigV4Signer.Request(
        method: "GET", path: "/",
        query: [(name: "Version", value: "2010-05-08"), (name: "Action", value: "ListUsers")],
        headers: [(name: "Host", value: "iam.amazonaws.com"), (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")])

    @Test("the published IAM ListUsers vector: canonical request hash and signature")
    func publishedVector() throws {
        let signer = SigV4Signer(service: "iam", region: "us-east-1")
        var request = Self.listUsers
        request.headers.append((name: "X-Amz-Date", value: "20150830T123600Z"))
        let canonical = signer.canonicalRequest(request)
        #expect(canonical.request == """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(sha256Hex(canonical.request) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        let headers = signer.signatureHeaders(for: Self.listUsers, credentials: Self.exampleCredentials, date: Self.exampleDate)
        #expect(headers.first { $0.name == "X-Amz-Date" }?.value == "20150830T123600Z")
        #expect(headers.first { $0.name == "Authorization" }?.value
            == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    @Test("the signing key a signer keeps is its secret's and day's: rotated credentials and a new day sign as a fresh signer does, from many tasks at once")
    func keptKey() async {
        let shared = SigV4Signer(service: "iam", region: "us-east-1")
        let rotated = AWSCredentials(accessKeyID: "AKIDROTATED", secretAccessKey: "another-secret")
        let cases = [(Self.exampleCredentials, Self.exampleDate), (rotated, Self.exampleDate), (Self.exampleCredentials, Self.exampleDate + 86_400)]
        let expected = cases.map { SigV4Signer(service: "iam", region: "us-east-1").signatureHeaders(for: Self.listUsers, credentials: $0.0, date: $0.1) }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for round in 0..<300 {
                let index = round % cases.count
                group.addTask {
                    let headers = shared.signatureHeaders(for: Self.listUsers, credentials: cases[index].0, date: cases[index].1)
                    return headers.map(\.value) == expected[index].map(\.value) ? 0 : 1
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
        #expect(Set(expected.map { $0.last!.value }).count == 3, "three different signatures")
    }

    @Test("@connections paths are encoded once more: '@', '=', '+' and an encoded '/'")
    func connectionPaths() {
        let signer = SigV4Signer(service: "execute-api", region: "eu-west-1")
        let request = SigV4Signer.Request(method: "POST", path: "/prod/@connections/Ab%2Bc%2Fd%3D", headers: [(name: "Host", value: "x.execute-api.eu-west-1.amazonaws.com")])
        let lines = signer.canonicalRequest(request).request.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/prod/%40connections/Ab%252Bc%252Fd%253D")
    }

    @Test("query parameters are encoded and sorted by name, then value")
    func querySorting() {
        let signer = SigV4Signer(service: "sns", region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/", query: [(name: "b", value: "2 3"), (name: "a", value: "z"), (name: "a", value: "y/+")], headers: [(name: "Host", value: "h")])
        #expect(signer.canonicalRequest(request).request.split(separator: "\n")[2] == "a=y%2F%2B&a=z&b=2%203")
    }

    @Test("canonical headers: names lowercased and sorted, values trimmed with inner runs of spaces collapsed, a repeated name's values joined in order (AWS's get-header-key-duplicate and get-header-value-trim vectors)")
    func canonicalHeaders() {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/", headers: [
            (name: "Host", value: "example.amazonaws.com"), (name: "My-Header1", value: "  value2  "), (name: "X-Amz-Date", value: "20150830T123600Z"),
            (name: "My-Header1", value: "value2"), (name: "My-Header1", value: "value1"), (name: "my-header2", value: "\"a   b   c\""),
        ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let canonical = signer.canonicalRequest(request)
        #expect(canonical.signedHeaders == "host;my-header1;my-header2;x-amz-date")
        #expect(canonical.request == """
            GET
            /

            host:example.amazonaws.com
            my-header1:value2,value2,value1
            my-header2:"a b c"
            x-amz-date:20150830T123600Z

            host;my-header1;my-header2;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
    }

    @Test("the timestamp is the UTC second, zero-padded")
    func timestamps() {
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")
        func amzDate(_ seconds: Double) -> String? {
            let request = SigV4Signer.Request(method: "GET", path: "/", headers: [(name: "Host", value: "h")])
            return signer.signatureHeaders(for: request, credentials: credentials, date: Date(timeIntervalSince1970: seconds)).first { $0.name == "X-Amz-Date" }?.value
        }
        #expect(amzDate(1_440_938_160) == "20150830T123600Z")
        #expect(amzDate(946_684_800.999) == "20000101T000000Z")
        #expect(amzDate(4_102_444_799) == "20991231T235959Z")
        // Leap days, the epoch, a century that is not a leap year, and before the epoch.
        #expect(amzDate(951_782_400) == "20000229T000000Z")
        #expect(amzDate(1_709_251_199) == "20240229T235959Z")
        #expect(amzDate(0) == "19700101T000000Z")
        #expect(amzDate(4_107_542_400) == "21000301T000000Z")
        #expect(amzDate(-1) == "19691231T235959Z")
    }

    @Test("percent-encoding: every byte but the unreserved ones, and back; malformed escapes decode to nil")
    func percentEncoding() {
        #expect(URIEncoding.encode("Ab+c/d=é~") == "Ab%2Bc%2Fd%3D%C3%A9~")
        #expect(URIEncoding.encode("a/b c", keepSlash: true) == "a/b%20c")
        #expect(URIEncoding.decode("Ab%2Bc%2fd%3D%C3%A9~") == "Ab+c/d=é~")
        #expect(URIEncoding.decode(URIEncoding.encode("x y/z=\u{1F600}")) == "x y/z=\u{1F600}")
        #expect(URIEncoding.decode("%G1") == nil)
        #expect(URIEncoding.decode("abc%2") == nil)
        #expect(URIEncoding.decode("%E2%82") == nil)
    }

    @Test("a session token is sent and signed")
    func sessionToken() {
        let signer = SigV4Signer(service: "dynamodb", region: "us-east-1")
        let credentials = AWSCredentials(accessKeyID: "ASIA1234", secretAccessKey: "s", sessionToken: "token/+=")
        let headers = signer.signatureHeaders(for: SigV4Signer.Request(method: "POST", path: "/", headers: [(name: "Host", value: "h")]), credentials: credentials, date: Self.exampleDate)
        #expect(headers.first { $0.name == "X-Amz-Security-Token" }?.value == "token/+=")
        #expect(headers.first { $0.name == "Authorization" }?.value.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,") == true)
    }

    @Test("the body is hashed: empty and binary bodies give different signatures")
    func bodies() {
        let signer = SigV4Signer(service: "execute-api", region: "us-east-1")
        func signature(_ body: [UInt8]) -> String? {
            let request = SigV4Signer.Request(method: "POST", path: "/@connections/a", headers: [(name: "Host", value: "h")], body: body)
            return signer.signatureHeaders(for: request, credentials: Self.exampleCredentials, date: Self.exampleDate).last?.value
        }
        #expect(signature([]) != signature([0x00, 0xFF, 0x80]))
        #expect(signer.canonicalRequest(.init(method: "POST", path: "/", headers: [], body: [0x00, 0xFF])).request.hasSuffix("\n" + sha256Hex(bytes: [0x00, 0xFF])))
    }

    @Test("credentials never print their secret")
    func credentialsDescription() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "tok")
        #expect(!"\(credentials)".contains("wJalrXUtnFEMI") && !"\(credentials)".contains("tok\"") && !"\(credentials)".contains("AKIDEXAM"))
    }
}

func sha256Hex(_ text: String) -> String { sha256Hex(bytes: Array(text.utf8)) }

func sha256Hex(bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
