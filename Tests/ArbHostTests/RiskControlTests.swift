import ArbCore
import ArbRisk
import Foundation
import Testing
@testable import ArbHost

@Suite("The kill switch: arbd risk, the control file, SIGUSR1", .serialized)
struct RiskControlTests {
    func folder(_ name: String) -> String {
        let path = "/tmp/arbor-test-runs/\(name)"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    @Test("the control file: commands in order, a half-written line waits for its newline, bad lines are counted")
    func controlFile() throws {
        let dir = folder("control-file")
        let file = RiskControlFile(folder: dir)
        #expect(file.poll().isEmpty)
        _ = try RiskControlFile.append(RiskCommand(action: .halt, scope: .exchange("upbit"), reason: "maintenance"), folder: dir)
        let handle = try #require(FileHandle(forWritingAtPath: file.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n{\"action\":\"explode\",\"scope\":\"global\"}\n{\"action\":\"resume\",\"sco".utf8))
        let first = file.poll()
        #expect(first == [RiskCommand(action: .halt, scope: .exchange("upbit"), reason: "maintenance")])
        #expect(file.badLines == 2)
        try handle.write(contentsOf: Data("pe\":\"exchange:upbit\"}\n".utf8))
        try handle.close()
        #expect(file.poll() == [RiskCommand(action: .resume, scope: .exchange("upbit"), reason: "")])
        #expect(file.poll().isEmpty)
    }

    @Test("arbd risk: a scope that is not one, or names what the manifest does not have, is an error naming the forms")
    func badScopes() throws {
        let plan = try load(manifestText())
        for (scope, message) in [("venue:x", "use global, exchange:NAME, route:ID or symbol:BASE"),
                                 ("exchange:kraken", "'kraken' is not an exchange of this manifest (binance, upbit)"),
                                 ("symbol:DOGE", "'DOGE' is not an asset of this manifest"),
                                 ("exchange:", "is not a scope")] {
            #expect(throws: RiskControlError.self) { try RiskCommands.command(.halt, scope: scope, reason: nil, plan: plan) }
            do { _ = try RiskCommands.command(.halt, scope: scope, reason: nil, plan: plan) } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        #expect(try RiskCommands.command(.halt, scope: "route:cross:BTC", reason: "x", plan: plan).scope == .route("cross:BTC"))
    }

    @Test("a halt written before the run holds from its start (the switch survives a restart); a later resume lifts it")
    func haltBeforeStart() throws {
        let dir = folder("control-restart")
        let text = manifestText(runtime: "20s").replacingOccurrences(of: "data_dir = \"/tmp/arbor-test-runs\"",
                                                                    with: "data_dir = \"/tmp/arbor-test-runs\"\nrun_name = \"control-restart\"")
        _ = try RiskControlFile.append(RiskCommand(action: .halt, scope: .exchange("upbit"), reason: "venue maintenance"), folder: dir)
        let (summary, _) = try run(text)
        let risk = try #require(summary.risk)
        // Every attempt needs Upbit: nothing was sent, every entry was refused.
        #expect(summary.orders.sent == 0 && (risk.decisions["risk.exchange.halted"] ?? 0) > 0)
        #expect(risk.control?.applied == ["halt exchange:upbit"])
        #expect(risk.transitions.first?.reason == "venue maintenance" && risk.transitions.first?.scope == "exchange:upbit")
        // Resumed: the next run starts halted and resumes at once.
        _ = try RiskControlFile.append(RiskCommand(action: .resume, scope: .exchange("upbit"), reason: "back"), folder: dir)
        let (again, _) = try run(text)
        #expect(again.orders.sent > 0 && again.risk?.notActiveAtEnd.isEmpty == true)
    }

    @Test("against a running arbd: arbd risk halt, arbd risk resume, then SIGUSR1; each journaled as it happened")
    func runningProcess() throws {
        let arbd = try #require(arbdExecutable(), "arbd not found next to the test binary; run `swift build` first")
        let dir = folder("control-live")
        let manifest = dir + ".toml"
        let text = manifestText(runtime: "30s").replacingOccurrences(of: "data_dir = \"/tmp/arbor-test-runs\"",
                                                                    with: "data_dir = \"/tmp/arbor-test-runs\"\nrun_name = \"control-live\"\nclock = \"wall\"")
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        let runner = try startArbd(arbd, ["run", "--manifest", manifest, "--quiet"])
        defer { if runner.isRunning { runner.terminate() } }
        func risk(_ args: [String]) throws -> Int32 {
            let p = try startArbd(arbd, ["risk"] + args + ["--manifest", manifest])
            p.waitUntilExit()
            return p.terminationStatus
        }
        func transitions() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: dir + "/journal.jsonl", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["event"] as? String == "risk_transition" }
        }
        func waitFor(_ count: Int) -> Bool {
            for _ in 0..<100 where transitions().count < count { Thread.sleep(forTimeInterval: 0.05) }
            return transitions().count >= count
        }
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try risk(["halt", "--scope", "exchange:binance", "--reason", "drill"]) == 0)
        #expect(waitFor(1))
        #expect(try risk(["resume", "--scope", "exchange:binance"]) == 0)
        #expect(waitFor(2))
        #expect(try risk(["halt", "--scope", "planet:mars"]) != 0)
        kill(runner.processIdentifier, SIGUSR1)
        #expect(waitFor(3))
        runner.interrupt()
        runner.waitUntilExit()
        let t = transitions()
        #expect(t.map { $0["scope"] as? String } == ["exchange:binance", "exchange:binance", "global"])
        #expect(t.map { $0["to"] as? String } == ["halted", "active", "halted"])
        #expect(t.map { $0["reason"] as? String } == ["drill", "arbd risk resume", "SIGUSR1"])
        #expect(t.allSatisfy { $0["code"] as? String == "risk.global.kill_switch" })
        // The summary agrees, and says the run ended halted.
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any]
        let riskInfo = summary?["risk"] as? [String: Any]
        #expect((riskInfo?["not_active_at_end"] as? [[String: Any]])?.first?["scope"] as? String == "global")
    }
}
