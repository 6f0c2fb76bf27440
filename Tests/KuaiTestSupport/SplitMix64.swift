import Foundation

/// The deterministic generator of every randomised test: splitmix64 (Steele, Lea and Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014), the same stream as
/// `SplitMix64` in Tools/oracle.py, so a generated fixture (the corpus's `big` one) holds the same
/// rows in Swift and in Python.
///
/// `state` is the seed; each `next()` adds the golden-ratio increment and mixes. Equal seeds give
/// equal streams on every run and platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One element of `choices` (not empty), uniformly.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &self)] }

    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
}

/// Settings of the fuzz tests, from the environment (Tools/fuzz.sh sets them for long runs).
public enum FuzzSettings {
    /// Iterations of each fuzz property: $KUAI_FUZZ_ITERATIONS when it is a positive integer,
    /// else `suiteDefault` (the short run of the normal suite).
    public static func iterations(_ suiteDefault: Int) -> Int {
        if let s = ProcessInfo.processInfo.environment["KUAI_FUZZ_ITERATIONS"], let n = Int(s), n > 0 { return n }
        return suiteDefault
    }

    /// The seed of a fuzz property: $KUAI_FUZZ_SEED when it is an unsigned integer, else `fallback`.
    public static func seed(_ fallback: UInt64) -> UInt64 {
        if let s = ProcessInfo.processInfo.environment["KUAI_FUZZ_SEED"], let n = UInt64(s) { return n }
        return fallback
    }
}
