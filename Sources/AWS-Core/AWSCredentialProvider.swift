import FoundationEssentials

/// Where credentials come from. Every implementation guarantees that it returns
/// credentials valid for at least a minute, or throws an ``AWSError`` (code
/// `CredentialsNotFound` or the source's error) that names the source and never the secret.
public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials (tests, and keys passed in by an embedding program).
public struct StaticCredentialProvider: AWSCredentialProvider {
    let value: AWSCredentials

    public init(_ credentials: AWSCredentials) {
        value = credentials
    }

    public func credentials() async throws -> AWSCredentials { value }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`: the Lambda case.
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
              let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else {
            throw AWSError(code: "CredentialsNotFound", message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set")
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }
}

/// The first provider that has credentials, in order; its error lists why each one had none.
public struct CredentialProviderChain: AWSCredentialProvider {
    let providers: [(name: String, provider: any AWSCredentialProvider)]

    public init(_ providers: [(name: String, provider: any AWSCredentialProvider)]) {
        self.providers = providers
    }

    public func credentials() async throws -> AWSCredentials {
        var reasons: [String] = []
        for (name, provider) in providers {
            do {
                return try await provider.credentials()
            } catch let error as AWSError where error.code == "CredentialsNotFound" {
                reasons.append("\(name): \(error.message)")
            }
        }
        throw AWSError(code: "CredentialsNotFound", message: "no AWS credentials found (" + reasons.joined(separator: "; ") + ")")
    }
}
