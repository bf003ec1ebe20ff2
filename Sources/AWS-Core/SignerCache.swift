import Synchronization

/// The signers one ``AWSClient`` has used, one per service and region, so that each keeps
/// its derived signing key (four HMACs saved per call) across calls.
final class SignerCache: Sendable {
    private let signers = Mutex<[String: SigV4Signer]>([:])

    func signer(service: String, region: String) -> SigV4Signer {
        signers.withLock { signers in
            let key = service + " " + region
            if let signer = signers[key] { return signer }
            let signer = SigV4Signer(service: service, region: region)
            signers[key] = signer
            return signer
        }
    }
}
