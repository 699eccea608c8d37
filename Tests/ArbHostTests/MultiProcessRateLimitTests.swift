import ArbCore
import ArbdPlugins
import ArbRateLimit
import ArbRedis
import Foundation
import Testing
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

/// Starts `arbd` with `arguments`, its output discarded.
func startArbd(_ arbd: URL, _ arguments: [String]) throws -> Process {
    let p = Process()
    p.executableURL = arbd
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    return p
}

/// `count` `arbd ratelimit-load` workers on one Upbit budget in Redis, `extra` arguments
/// per worker; `meanwhile` runs while they work. Returns every grant (at the time the
/// shared counts hold it) and each worker's stats.
func loadWorkers(count: Int, port: Int, seconds: Double, extra: (Int) -> [String] = { _ in [] },
                 meanwhile: () throws -> Void = {}) throws -> (entries: [RateLimitAuditor.Entry], stats: [RateLimitLoad.Stats], exitCodes: [Int32]) {
    let arbd = try #require(arbdExecutable(), "arbd not found next to the test binary; run `swift build` first")
    let prefix = "arbor-mp-\(UUID().uuidString.prefix(8))"
    let dir = NSTemporaryDirectory()
    let workers: [Process] = try (0..<count).map { i in
        let p = Process()
        p.executableURL = arbd
        p.arguments = ["ratelimit-load", "--exchange", "upbit", "--redis-port", String(port), "--prefix", prefix,
                       "--seconds", String(seconds), "--log", "\(dir)/\(prefix)-\(i).log", "--stats", "\(dir)/\(prefix)-\(i).json"] + extra(i)
        try p.run()
        return p
    }
    try meanwhile()
    for w in workers { w.waitUntilExit() }
    var entries: [RateLimitAuditor.Entry] = []
    var stats: [RateLimitLoad.Stats] = []
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    for i in 0..<count {
        let text = try String(contentsOfFile: "\(dir)/\(prefix)-\(i).log", encoding: .utf8)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            entries.append(.init(time: Int64(f[0])!, pool: String(f[1]), weight: Int64(f[2])!))
        }
        stats.append(try decoder.decode(RateLimitLoad.Stats.self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(prefix)-\(i).json"))))
    }
    return (entries, stats, workers.map(\.terminationStatus))
}

func upbitAuditPools() throws -> [String: (scheme: RateLimitScheme, limit: Int64)] {
    let rules = try #require(try registeredPlugins.rateLimitRules(exchange: "upbit"))
    var pools: [String: (scheme: RateLimitScheme, limit: Int64)] = [:]
    for p in rules.pools { pools[p.id] = (p.scheme, p.scheme.limit) }
    return pools
}

@Suite("Rate limits across processes (real Redis)", .enabled(if: Services.available, "needs tools/with-services"), .serialized)
struct MultiProcessRateLimitTests {
    @Test("4 processes sharing one Upbit budget through Redis, each sending far more than it allows: zero violations, > 90 % used")
    func fourProcesses() throws {
        let port = try #require(Int(Services.redisPort))
        let (entries, stats, codes) = try loadWorkers(count: 4, port: port, seconds: 4)
        #expect(codes.allSatisfy { $0 == 0 }, "a worker failed (Redis fallback?)")
        #expect(RateLimitAuditor().violations(entries, pools: try upbitAuditPools()).isEmpty)

        // Far more was asked than granted...
        let granted = entries.filter { $0.pool == "order" }.count
        #expect(stats.map(\.attempts).reduce(0, +) > 10 * granted)
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

    @Test("Redis killed and restarted during a 4-process run: zero violations in every window, all back on Redis at the end")
    func redisRestart() throws {
        let server = try RedisServerProcess()
        // Two workers start while Redis is down, so their reconnect attempts fall 150 ms
        // after the others': the first back must not spend what those two still grant on
        // their fallback share (the recovery period).
        let (entries, stats, codes) = try loadWorkers(count: 4, port: server.port, seconds: 6,
                                                      extra: { ["--reconnect-ms", "300", "--start-delay-ms", $0 < 2 ? "0" : "1650"] }) {
            usleep(1_500_000)
            server.kill()
            usleep(1_500_000)
            try server.start()
        }
        let violations = RateLimitAuditor().violations(entries, pools: try upbitAuditPools())
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        #expect(codes.allSatisfy { $0 == 0 }, "a worker finished on its fallback share")
        // All four ran on the fallback share; the first two reconnected (the late two had never connected).
        #expect(stats.allSatisfy { $0.fallbacks >= 1 } && stats.prefix(2).allSatisfy { $0.reconnects >= 1 },
                "\(stats.map { ($0.fallbacks, $0.reconnects) })")
        // The second of the kill and the reconnect second carried at most 12 orders (the old main: 24 each).
        var perSecond: [Int64: Int] = [:]
        for e in entries where e.pool == "order" { perSecond[e.time / 1_000_000_000, default: 0] += 1 }
        #expect(perSecond.values.allSatisfy { $0 <= 12 }, "\(perSecond.sorted { $0.key < $1.key })")
        // After the recovery period Redis grants the whole budget again: the last full second is full.
        let last = (perSecond.keys.max() ?? 0) - 1
        #expect((perSecond[last] ?? 0) >= 11, "\(perSecond.sorted { $0.key < $1.key })")
    }

    @Test("two processes whose clocks differ by 2 s share one budget: zero violations")
    func clockSkew() throws {
        let port = try #require(Int(Services.redisPort))
        let (entries, _, codes) = try loadWorkers(count: 2, port: port, seconds: 3, extra: { ["--clock-offset-ms", $0 == 0 ? "0" : "2000"] })
        #expect(codes.allSatisfy { $0 == 0 })
        let violations = RateLimitAuditor().violations(entries, pools: try upbitAuditPools())
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        #expect(entries.filter { $0.pool == "order" }.count >= 24, "the budget was still used")
    }
}
