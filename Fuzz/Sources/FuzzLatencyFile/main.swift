import ArbCore
import FuzzSupport

// Files of measured latencies (`latency_ms = { feed = { file = "…" } }`).
runFuzzer { data, size in
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    if let values = try? LatencyFile.parse(text) {
        var sampler = LatencySampler(.samples(values), seed: 1)
        _ = sampler.nextNanoseconds()
    }
    return 0
}
