import ArbCore
import ArbRedis
import ArbRisk
import ArbRiskRedis
import Foundation
import Logging
import Testing
@testable import ArbHost

@Suite("The risk guard shared through Redis", .serialized)
struct SharedRiskTests {
    func tier(port: Int, prefix: String, account: String = "acct", share: Ratio = "0.25") -> RedisRiskTier {
        RedisRiskTier(prefix: prefix, account: account, fallbackShare: share, processTTL: .seconds(30), reconnectInterval: .milliseconds(50),
                      logger: Logger(label: "test"), wallNanoseconds: { MonotonicClock.nanoseconds() }) {
            try RedisConnection(host: "127.0.0.1", port: port, timeoutMilliseconds: 300)
        }
    }
    let limits = SharedLimits(grossExposure: "3000", venueExposure: ["binance": "2500"], dailyLoss: "500")

    @Test("processes share the global and exchange limits; the fallback keeps to its share; a reconnect overwrites, never double counts")
    func sharedLimitsAndFallback() throws {
        let server = try RedisServerProcess()
        let prefix = "t\(UInt32.random(in: 0...UInt32.max))"
        let a = tier(port: server.port, prefix: prefix), b = tier(port: server.port, prefix: prefix)
        let now = Timestamp.defaultRunStart
        guard case .allowed(let combined, let time) = a.reserve(gross: "1000", venue: "upbit", venueExposure: "1000", limits: limits, at: now) else {
            Issue.record("a's first reservation"); return
        }
        #expect(combined == Amount("1000") && time != nil && a.isShared)
        // b: 1000 + 2,100 > 3,000 refused with the combined value; 1,900 fits.
        #expect(b.reserve(gross: "2100", venue: "binance", venueExposure: "2100", limits: limits, at: now)
                == .refused(code: .grossExposure, scope: "global", limit: "3000", measured: "3100"))
        guard case .allowed(let both, _) = b.reserve(gross: "1900", venue: "binance", venueExposure: "1900", limits: limits, at: now) else {
            Issue.record("b's reservation"); return
        }
        #expect(both == Amount("2900"))
        // The exchange limit is shared too: a on binance 700 + b's 1,900 > 2,500.
        if case .refused(let code, let scope, _, _) = a.reserve(gross: "1000", venue: "binance", venueExposure: "700", limits: limits, at: now) {
            #expect(code == .exchangeExposure && scope == "exchange:binance")
        } else { Issue.record("the shared venue limit") }

        // Redis goes away: a keeps to a quarter of each limit on its own figures.
        server.kill()
        #expect(a.reserve(gross: "700", venue: "upbit", venueExposure: "700", limits: limits, at: now).isFallbackAllowed)
        #expect(a.reserve(gross: "750", venue: "upbit", venueExposure: "750", limits: limits, at: now) == .allowed(combinedGross: "750", serverTimeMicros: nil))
        #expect(a.reserve(gross: "751", venue: "upbit", venueExposure: "751", limits: limits, at: now)
                == .refused(code: .grossExposure, scope: "global", limit: "750", measured: "751"))
        #expect(!a.isShared && a.fallbacks == 1)
        // Redis returns empty; a publishes its absolute figure (900), b its own (1,900): 2,800, not 900 + 1,000 + 1,900.
        try server.start()
        usleep(100_000)
        _ = a.publish(gross: "900", venueExposures: ["upbit": "900"], dailyPnL: .zero, limits: limits, at: now)
        _ = b.publish(gross: "1900", venueExposures: ["binance": "1900"], dailyPnL: .zero, limits: limits, at: now)
        #expect(a.isShared && a.reconnects == 1)
        #expect(b.reserve(gross: "2000", venue: "binance", venueExposure: "2000", limits: limits, at: now).isAllowed)
        #expect(b.reserve(gross: "2200", venue: "binance", venueExposure: "2200", limits: limits, at: now)
                == .refused(code: .grossExposure, scope: "global", limit: "3000", measured: "3100"))
        // A shared daily loss: the processes' PnLs add up; at the limit global halts for all.
        _ = a.publish(gross: "900", venueExposures: [:], dailyPnL: "-300", limits: limits, at: now)
        let state = b.publish(gross: "1900", venueExposures: [:], dailyPnL: "-250", limits: limits, at: now)
        #expect(state.halts["global"].map { sharedHaltParts($0).reason.hasPrefix("daily loss") } == true)
        #expect(a.reserve(gross: "10", venue: "upbit", venueExposure: "10", limits: limits, at: now)
                == .refused(code: .globalHalted, scope: "global", limit: nil, measured: nil))
        try a.setHalt("global", reason: nil)
        #expect(a.poll().halts.isEmpty)
    }

    @Test("keys share one hash tag: every script runs on a cluster-mode node")
    func cluster() throws {
        let server = try RedisServerProcess(clusterEnabled: true)
        let a = tier(port: server.port, prefix: "c\(UInt32.random(in: 0...UInt32.max))")
        #expect(a.reserve(gross: "100", venue: "upbit", venueExposure: "100", limits: limits, at: .defaultRunStart).isAllowed && a.isShared)
        _ = a.publish(gross: "100", venueExposures: ["upbit": "100"], dailyPnL: "-1", limits: limits, at: .defaultRunStart)
        try a.setHalt("exchange:upbit", reason: "drill")
        #expect(a.poll().halts.keys.sorted() == ["exchange:upbit"] && a.isShared)
    }

    @Test("arbd risk halt|resume with a shared tier acts through Redis, not the control file")
    func commandThroughRedis() throws {
        let port = try #require(Int(Services.redisPort))
        let prefix = "cmd\(UInt32.random(in: 0...UInt32.max))"
        let folder = "/tmp/arbor-test-runs/\(prefix)"
        let plan = try load(manifestText(extra: """
        [storage.redis]
        port = \(port)
        key_prefix = "\(prefix)"

        [risk]
        shared = "redis"
        account = "ops"
        """))
        let said = try RiskCommands.apply(RiskCommand(action: .halt, scope: .exchange("upbit"), reason: "maintenance"), plan: plan, folder: folder)
        #expect(said.contains("set in Redis"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/" + RiskControlFile.name))
        let halts = tier(port: port, prefix: prefix, account: "ops").poll().halts
        #expect(halts["exchange:upbit"].map { sharedHaltParts($0).reason } == "maintenance")
        _ = try RiskCommands.apply(RiskCommand(action: .resume, scope: .exchange("upbit"), reason: ""), plan: plan, folder: folder)
        let after = tier(port: port, prefix: prefix, account: "ops").poll()
        #expect(after.reachable && after.halts.isEmpty)
    }

    @Test("a kill switch that cannot reach Redis still halts this process, and says it was not set account-wide")
    func killSwitchWithoutRedis() throws {
        let plan = try load(manifestText(withStrategy: false))
        let kernel = try plan.makeKernel()
        let g = KernelRiskGuard(limits: plan.defaultRiskLimits(), universe: kernel.universe)
        g.shared = tier(port: 1, prefix: "down")
        g.install(on: kernel)
        let problem = g.halt(.global, reason: "drill", kernel: kernel)
        #expect(problem?.contains("halt global applied here only, not account-wide") == true, "\(String(describing: problem))")
        #expect(g.guardian.states.state(of: .global) == .halted)
    }

    @Test("[risk] shared = \"redis\" without [storage.redis] is a manifest error naming the key")
    func needsRedis() {
        let text = manifestText(extra: "[risk]\nshared = \"redis\"")
        #expect(problem(text).contains("risk.shared: \"redis\" shares the global and exchange tiers through [storage.redis]"), "\(problem(text))")
        #expect(problem(manifestText(extra: "[risk]\nshared = \"cloud\"")).contains("risk.shared: must be \"local\""))
        #expect(problem(manifestText(extra: "[risk]\naccount = \"a{b}\"")).contains("risk.account: must be a name without braces"))
    }

    @Test("three processes on one account: combined exposure never passes the global limit (audited from their journals); one process's kill switch halts all within 100 ms")
    func threeProcesses() throws {
        let arbd = try #require(arbdExecutable(), "arbd not found next to the test binary; run `swift build` first")
        let port = try #require(Int(Services.redisPort))
        let prefix = "mp\(UInt32.random(in: 0...UInt32.max))"
        let root = "/tmp/arbor-test-runs/shared-\(prefix)"
        try? FileManager.default.removeItem(atPath: root)
        let limit = Amount("4000")
        var processes: [Process] = []
        for i in 0..<3 {
            let text = manifestText(dataDir: root, runtime: "7s", extra: """
            [storage.redis]
            port = \(port)
            key_prefix = "\(prefix)"

            [risk]
            shared = "redis"
            account = "main"

            [risk.global]
            max_gross_exposure = "\(limit)"
            """).replacingOccurrences(of: "seed = 7", with: "seed = \(7 + i)\nclock = \"wall\"\nrun_name = \"p\(i)\"")
            let path = "\(root)-p\(i).toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            processes.append(try startArbd(arbd, ["run", "--manifest", path, "--quiet"]))
        }
        defer { for p in processes where p.isRunning { p.terminate() } }
        Thread.sleep(forTimeInterval: 4)
        kill(processes[1].processIdentifier, SIGUSR1)
        for p in processes { p.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })

        func rows(_ i: Int) throws -> [[String: Any]] {
            try String(contentsOfFile: "\(root)/p\(i)/journal.jsonl", encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        let journals = try (0..<3).map(rows)
        // Every reservation and publication, in Redis time: the latest figure per process.
        var events: [(time: Int64, process: Int, gross: Amount, allowed: Bool)] = []
        for (i, journal) in journals.enumerated() {
            for row in journal where row["event"] as? String == "risk_shared" {
                guard let time = row["server_time_us"] as? Int64 ?? (row["server_time_us"] as? NSNumber)?.int64Value,
                      let gross = (row["gross"] as? String).flatMap({ Amount($0) }) else { continue }
                let decision = row["decision"] as? String
                if decision == "allowed" || decision == "published" { events.append((time, i, gross, decision == "allowed")) }
            }
        }
        events.sort { ($0.time, $0.process) < ($1.time, $1.process) }
        var latest = [Amount](repeating: .zero, count: 3)
        var accepted = 0, violations: [String] = []
        for e in events {
            latest[e.process] = e.gross
            if e.allowed {
                accepted += 1
                let combined = latest.reduce(Amount.zero, +)
                if combined > limit { violations.append("at \(e.time): \(combined) > \(limit)") }
            }
        }
        #expect(accepted > 0, "no reservation was made")
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        // Someone was refused by the shared limit (the limit binds).
        let refusedShared = journals.flatMap { $0 }.filter { $0["event"] as? String == "risk_shared" && $0["decision"] as? String == "risk.global.gross_exposure" }
        #expect(!refusedShared.isEmpty)
        // The kill switch: process 1 halted itself on SIGUSR1; the others saw it within 100 ms of Redis time.
        #expect(journals[1].contains { $0["event"] as? String == "risk_transition" && $0["reason"] as? String == "SIGUSR1" })
        for i in [0, 2] {
            let seen = try #require(journals[i].first { $0["event"] as? String == "risk_shared_halt" && $0["scope"] as? String == "global" })
            let set = (seen["set_at_us"] as? NSNumber)?.int64Value ?? 0, at = (seen["seen_at_us"] as? NSNumber)?.int64Value ?? .max
            #expect(at - set <= 100_000, "process \(i) saw the halt \(at - set) µs after it was set")
            // And sent no entry after.
            let haltedAt = (seen["t"] as? NSNumber)?.int64Value ?? 0
            let late = journals[i].filter { $0["event"] as? String == "order" && $0["purpose"] as? String == "entry" && ((($0["t"] as? NSNumber)?.int64Value ?? 0) > haltedAt) }
            #expect(late.isEmpty, "process \(i) sent \(late.count) entries after the halt")
        }
    }
}

extension SharedDecision {
    var isAllowed: Bool { if case .allowed = self { return true } else { return false } }
    var isFallbackAllowed: Bool { if case .allowed(_, nil) = self { return true } else { return false } }
}
