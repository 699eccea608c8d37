import Logging
import ArbCore
import ArbRisk
import ArbUniverse
import Foundation

/// A destination of journal records, written on the journal's own thread.
protocol JournalSink: AnyObject {
    var name: String { get }
    /// Writes one batch; throws on failure (the journal records the error and stops using the sink).
    func write(_ batch: ArraySlice<(Int, JournalRecord)>, formatter: JournalFormatter) throws
    func finish() throws
}

/// What a sink managed, for the summary.
public struct SinkReport: Codable, Sendable, Hashable {
    public var name: String
    public var records: Int
    public var error: String?
}

/// The run's journal of orders and reports. The kernel hands records over through a
/// bounded queue (waiting, never dropping, when it is full); one thread writes them to
/// every sink: the JSONL file always, PostgreSQL and Redis when configured.
public final class Journal: KernelObserver, RiskAuditSink, @unchecked Sendable {
    private let queue: BoundedQueue<JournalRecord>
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private var sinks: [JournalSink]
    private var sinkRecords: [Int]
    private var sinkErrors: [String?]
    private let formatter: JournalFormatter
    private var sequence = 0
    public let path: String

    let logger: Logger

    init(path: String, universe: Universe, routeName: @escaping @Sendable (Int32) -> String, extraSinks: [JournalSink], capacity: Int = 1 << 16,
         logger: Logger = Logger(label: "arbor.journal")) throws {
        self.logger = logger
        self.path = path
        let file = try FileJournalSink(path: path)
        self.sinks = [file] + extraSinks
        self.sinkRecords = Array(repeating: 0, count: sinks.count)
        self.sinkErrors = Array(repeating: nil, count: sinks.count)
        self.queue = BoundedQueue(capacity: capacity)
        self.formatter = JournalFormatter(universe: universe, routeName: routeName)
    }

    func start() {
        let thread = Thread { [self] in self.drain() }
        thread.name = "arbd-journal"
        self.thread = thread
        thread.start()
    }

    // MARK: KernelObserver (kernel thread)

    public func orderSent(_ order: Order, at time: Timestamp) { queue.put(.order(order, time)) }
    public func orderReport(_ report: ExecutionReport, order: Order, valued: FillValue?, at time: Timestamp) {
        queue.put(.report(report, order, valued, time))
    }
    public func preTradeRejected(_ intent: OrderIntent, strategy: StrategyId, rejection: Rejection, at time: Timestamp) {
        queue.put(.preTradeRejection(intent, strategy, rejection, time))
    }
    public func opportunityRecorded(_ record: OpportunityRecord, at time: Timestamp) { queue.put(.opportunity(record, time)) }
    /// The universe rule changed the selection (kernel thread).
    func universeChanged(_ change: UniverseChange, at time: Timestamp) { queue.put(.universe(change, time)) }

    // The risk guard's audit trail.
    public func riskRefused(_ refusal: RiskRefusal, guard: KernelRiskGuard) {
        queue.put(.riskRefusal(refusal, scope: `guard`.scopeName(refusal.scope)))
    }
    public func riskTransition(_ transition: RiskTransition, guard: KernelRiskGuard) {
        queue.put(.riskTransition(transition, scope: `guard`.scopeName(transition.scope)))
    }
    public func riskShared(_ reservation: SharedReservation, guard: KernelRiskGuard) { queue.put(.riskShared(reservation)) }
    public func riskTransferProposed(_ proposal: TransferProposal, executed: Bool, refusal: String?, guard: KernelRiskGuard) {
        queue.put(.transferProposed(proposal, executed: executed, refusal: refusal, `guard`.kernel?.now ?? .zero))
    }
    public func transferMoved(_ transfer: Transfer, at time: Timestamp) { queue.put(.transfer(transfer, time)) }
    public func riskSharedHalt(scope: String, reason: String, setAtMicros: Int64?, seenAtMicros: Int64?, at: Timestamp, guard: KernelRiskGuard) {
        queue.put(.riskSharedHalt(scope: scope, reason: reason, setAtMicros: setAtMicros, seenAtMicros: seenAtMicros, at))
    }

    // MARK: writer thread

    private func drain() {
        var batch: [JournalRecord] = []
        var numbered: [(Int, JournalRecord)] = []
        while true {
            queue.takeBatch(max: 4_096, into: &batch)
            if batch.isEmpty { break }
            numbered.removeAll(keepingCapacity: true)
            for record in batch { sequence += 1; numbered.append((sequence, record)) }
            write(numbered[...])
        }
        for (i, sink) in sinks.enumerated() where sinkErrors[i] == nil {
            do { try sink.finish() } catch { sinkErrors[i] = String(describing: error) }
        }
        done.signal()
    }

    private func write(_ batch: ArraySlice<(Int, JournalRecord)>) {
        for (i, sink) in sinks.enumerated() where sinkErrors[i] == nil {
            do {
                try sink.write(batch, formatter: formatter)
                sinkRecords[i] += batch.count
            } catch {
                // The file journal keeps everything; a failing sink is reported, not retried forever.
                sinkErrors[i] = "stopped after \(sinkRecords[i]) records: \(error)"
                logger.error("a journal sink failed; the file journal keeps every record",
                             metadata: ["journal.sink": "\(sink.name)", "error": "\(error)", "journal.records": "\(sinkRecords[i])"])
            }
        }
    }

    /// Closes the queue, waits for every record to be written and the sinks to finish.
    func finish() -> [SinkReport] {
        queue.close()
        if thread != nil { done.wait() }
        return sinks.indices.map { SinkReport(name: sinks[$0].name, records: sinkRecords[$0], error: sinkErrors[$0]) }
    }

    var backpressureWaits: Int { queue.backpressureWaits }
}

/// The embedded journal: JSON lines in the run's folder. Always on.
final class FileJournalSink: JournalSink {
    let name = "file"
    private let handle: FileHandle
    private var buffer = Data()

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw JournalError(message: "cannot create the journal at \(path); check that its folder is writable")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func write(_ batch: ArraySlice<(Int, JournalRecord)>, formatter: JournalFormatter) throws {
        buffer.removeAll(keepingCapacity: true)
        for (seq, record) in batch {
            buffer.append(contentsOf: formatter.line(record, sequence: seq).utf8)
            buffer.append(0x0A)
        }
        try handle.write(contentsOf: buffer)
    }

    func finish() throws {
        try handle.synchronize()
        try handle.close()
    }
}

public struct JournalError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
