import ArbRateLimit
import Foundation
import Testing
import Upbit
@testable import ArbHost

/// The `arbd` built next to this test binary.
func arbdExecutable() -> URL? {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = here.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("arbd")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

@Suite("Rate limits across processes (real Redis)", .enabled(if: Services.available, "needs tools/with-services"))
struct MultiProcessRateLimitTests {
    @Test("4 processes sharing one Upbit budget through Redis, each sending far more than it allows: zero violations, > 90 % used")
    func fourProcesses() throws {
        let arbd = try #require(arbdExecutable(), "arbd not found next to the test binary; run `swift build` first")
        let prefix = "arbor-mp-\(UUID().uuidString.prefix(8))"
        let dir = NSTemporaryDirectory()
        let seconds = 4.0
        let workers: [Process] = try (0..<4).map { i in
            let p = Process()
            p.executableURL = arbd
            p.arguments = ["ratelimit-load", "--exchange", "upbit", "--redis-port", Services.redisPort, "--prefix", prefix,
                           "--seconds", String(seconds), "--log", "\(dir)/\(prefix)-\(i).log", "--stats", "\(dir)/\(prefix)-\(i).json"]
            try p.run()
            return p
        }
        for w in workers { w.waitUntilExit() }
        #expect(workers.allSatisfy { $0.terminationStatus == 0 }, "a worker failed (Redis fallback?)")

        var entries: [RateLimitAuditor.Entry] = []
        var attempts = 0
        for i in 0..<4 {
            let text = try String(contentsOfFile: "\(dir)/\(prefix)-\(i).log", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let f = line.split(separator: " ")
                entries.append(.init(time: Int64(f[0])!, pool: String(f[1]), weight: Int64(f[2])!))
            }
            let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(prefix)-\(i).json"))) as! [String: Any]
            attempts += stats["attempts"] as! Int
        }
        let rules = UpbitRateLimits()
        var pools: [String: (scheme: RateLimitScheme, limit: Int64)] = [:]
        for p in rules.pools { pools[p.id] = (p.scheme, p.scheme.limit) }
        #expect(RateLimitAuditor().violations(entries, pools: pools).isEmpty)

        // Far more was asked than granted...
        let granted = entries.filter { $0.pool == "order" }.count
        #expect(attempts > 10 * granted)
        // ...and the budget was used: every full second in the run carried ≥ 90 % of the 12 orders (and of the 30 default, 10 orderbook).
        for (pool, limit) in [("order", 12), ("default", 30), ("orderbook", 10)] {
            let times = entries.filter { $0.pool == pool }.map(\.time)
            let first = times.min()! / 1_000_000_000 + 1, last = times.max()! / 1_000_000_000 - 1
            var perSecond: [Int64: Int] = [:]
            for t in times { perSecond[t / 1_000_000_000, default: 0] += 1 }
            let full = (first...last).map { perSecond[$0] ?? 0 }
            #expect(!full.isEmpty)
            let used = Double(full.reduce(0, +)) / Double(full.count * limit)
            #expect(used > 0.9, "\(pool): \(used)")
            #expect(full.allSatisfy { $0 <= limit })
        }
    }
}
