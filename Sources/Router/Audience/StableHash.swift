/// 64-bit FNV-1a: a hash that is the same in every process and every run (Swift's `Hasher` is
/// seeded per process), for keys that several processes or attempts compare.
enum StableHash {
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { hash, byte in (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }
}
