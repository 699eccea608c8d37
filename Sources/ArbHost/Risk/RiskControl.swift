import ArbCore
import ArbRisk
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One kill-switch command: halt or resume a scope, with why.
public struct RiskCommand: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable { case halt, resume }
    public var action: Action
    public var scope: ScopeName
    public var reason: String

    public init(action: Action, scope: ScopeName, reason: String) { self.action = action; self.scope = scope; self.reason = reason }

    /// The control file's line: `{"action":"halt","scope":"global","reason":"…","written_at":"…"}`.
    func line(writtenAt: Date = Date()) -> String {
        "{\"action\":\"\(action.rawValue)\",\"scope\":\(JSONText.quote(scope.description)),\"reason\":\(JSONText.quote(reason)),"
            + "\"written_at\":\"\(ISO8601DateFormatter().string(from: writtenAt))\"}\n"
    }

    /// Parses one line; nil for anything that is not a well-formed command.
    public static func parse(_ line: Substring) -> RiskCommand? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let action = (object["action"] as? String).flatMap(Action.init(rawValue:)),
              let scope = (object["scope"] as? String).flatMap(ScopeName.init(parsing:)) else { return nil }
        return RiskCommand(action: action, scope: scope, reason: object["reason"] as? String ?? "")
    }
}

/// The kill switch through a file in the run's folder, `risk-control.jsonl`: `arbd risk
/// halt|resume` appends a line, the running `arbd` reads what was appended. The whole
/// file is read at the start, so a halt written before a restart still holds (a resume
/// after it lifts it). Lines that are not commands are counted and logged, never fatal.
public final class RiskControlFile {
    public static let name = "risk-control.jsonl"
    public let path: String
    var offset: UInt64 = 0
    var partial = Data()
    public private(set) var badLines = 0
    var lineNumber = 0
    let logger = Logger(label: "arbor.risk.control")

    public init(folder: String) { path = (folder as NSString).appendingPathComponent(Self.name) }

    /// Appends `command` (creating the file and its folder if needed).
    public static func append(_ command: RiskCommand, folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent(name)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw RiskControlError("cannot open \(path) for appending: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(command.line().utf8)
        // One write of one short line: appends from several writers do not interleave.
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw RiskControlError("could not write to \(path): \(String(cString: strerror(errno)))") }
        return path
    }

    /// The commands appended since the last call, in order (a line still being written
    /// waits for its newline).
    public func poll() -> [RiskCommand] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return [] }
        offset += UInt64(data.count)
        partial.append(data)
        var commands: [RiskCommand] = []
        while let newline = partial.firstIndex(of: 0x0A) {
            let lineData = partial[partial.startIndex..<newline]
            partial.removeSubrange(partial.startIndex...newline)
            lineNumber += 1
            let line = String(decoding: lineData, as: UTF8.self)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if let command = RiskCommand.parse(Substring(line)) {
                commands.append(command)
            } else {
                badLines += 1
                logger.warning("risk control: line \(lineNumber) of \(path) is not a command; expected {\"action\":\"halt\"|\"resume\",\"scope\":\"global\"|\"exchange:NAME\"|…} (arbd risk halt writes them)")
            }
        }
        return commands
    }
}

public struct RiskControlError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// SIGUSR1 becomes a flag the run loop polls: the process halts (global kill switch).
public final class HaltSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    nonisolated(unsafe) private var source: (any DispatchSourceSignal)?

    /// Whether a SIGUSR1 arrived since the last call.
    public func take() -> Bool { flag.exchange(false, ordering: .relaxed) }
    public var isRaised: Bool { flag.load(ordering: .relaxed) }
    public func raise() { flag.store(true, ordering: .relaxed) }

    func install() {
        signal(SIGUSR1, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: .global())
        s.setEventHandler { [self] in self.raise() }
        s.resume()
        source = s
    }

    func uninstall() {
        source?.cancel()
        source = nil
        signal(SIGUSR1, SIG_DFL)
    }
}

/// What a run's kill switch did: commands applied, and what could not be.
public struct RiskControlReport: Codable, Sendable, Hashable {
    public var applied: [String] = []
    public var unresolved: [String] = []
    /// Commands applied here that could not be set account-wide (Redis unreachable).
    public var notShared: [String] = []
    public var badLines = 0
}

/// `arbd risk halt|resume`: the command, its scope checked against the manifest's run.
public enum RiskCommands {
    public static func command(_ action: RiskCommand.Action, scope text: String, reason: String?, plan: RunPlan) throws -> RiskCommand {
        guard let scope = ScopeName(parsing: text) else {
            throw RiskControlError("--scope '\(text)' is not a scope; use \(ScopeName.forms), e.g. --scope exchange:\(plan.exchangeNames.first ?? "binance")")
        }
        switch scope {
        case .exchange(let name) where !plan.exchangeNames.contains(name):
            throw RiskControlError("--scope \(text): '\(name)' is not an exchange of this manifest (\(plan.exchangeNames.joined(separator: ", ")))")
        case .symbol(let code) where plan.universe.assetId(code) == nil:
            let assets = (0..<plan.universe.assetCount).map { plan.universe.assetCode(AssetId($0)) }
            throw RiskControlError("--scope \(text): '\(code)' is not an asset of this manifest (\(assets.joined(separator: ", ")))")
        default:
            break
        }
        return RiskCommand(action: action, scope: scope, reason: reason ?? "")
    }

    /// Carries out `arbd risk halt|resume`: account-wide through Redis with `[risk] shared
    /// = "redis"`, else through the run folder's control file. Returns what was done.
    public static func apply(_ command: RiskCommand, plan: RunPlan, folder: String) throws -> String {
        if let tier = try SharedRiskFactory.make(plan: plan) {
            let reason = command.reason.isEmpty ? "arbd risk \(command.action.rawValue)" : command.reason
            try tier.setHalt(command.scope.description, reason: command.action == .halt ? reason : nil)
            return "\(command.action.rawValue) \(command.scope): set in Redis (\(tier.haltKey)); every process on the account applies it within 100 ms"
        }
        let path = try RiskControlFile.append(command, folder: folder)
        return "\(command.action.rawValue) \(command.scope): written to \(path); a running arbd applies it within 50 ms"
    }
}
