import ArbCore
import ArbRateLimit
import Foundation
import Logging
import Testing
@testable import ArbHost

/// Collects what a logger writes.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(Logger.Level, String, Logger.Metadata)] = []
    func append(_ e: (Logger.Level, String, Logger.Metadata)) { lock.lock(); entries.append(e); lock.unlock() }
    var all: [(Logger.Level, String, Logger.Metadata)] { lock.lock(); defer { lock.unlock() }; return entries }
}

struct CapturingHandler: LogHandler {
    let logs: CapturedLogs
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        logs.append((level, message.description, metadata.merging(extra ?? [:]) { $1 }))
    }
}

@Suite("Logging through swift-log")
struct LoggingTests {
    @Test("a ban is logged once, as critical, with the venue in the metadata, through the logger it is given")
    func banLogged() throws {
        let logs = CapturedLogs()
        let logger = Logger(label: "test") { _ in CapturingHandler(logs: logs) }
        let plugin = try FakeExchangePlugin(settings: .init())
        let throttle = ClientThrottle(backend: RateLimiter(rules: plugin.rateLimitRules), logger: logger)
        var universe = Universe()
        let v = universe.addVenue("upbit")
        let id = universe.addInstrument(plugin.listing(base: "BTC", quote: "USD")!, on: v)
        let intent = OrderIntent.limit(.buy, on: id, price: Price("100000000"), quantity: Quantity("0.001"))
        let ban = Rejection(reason: .banned, venueCode: "418", message: "blocked", httpStatus: 418, retryAfter: .seconds(60))
        throttle.venueRefused(ban, action: .newOrder(intent, universe[id]), at: .milliseconds(1))
        // A refusal inside the same ban that does not extend it is not announced again.
        var again = ban
        again.retryAfter = .seconds(30)
        throttle.venueRefused(again, action: .newOrder(intent, universe[id]), at: .milliseconds(2))
        let critical = logs.all.filter { $0.0 == .critical }
        #expect(critical.count == 1)
        #expect(critical.first?.2["venue.id"]?.description == FakeExchangePlugin.id)
    }
}
