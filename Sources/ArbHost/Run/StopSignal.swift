import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM become a flag the run loop polls, so a run always ends through its
/// normal path and writes its summary.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Touched only by `install`/`uninstall` on the thread that runs the loop.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    public var isRaised: Bool { flag.load(ordering: .relaxed) }
    /// Asks the run to stop at its next check; safe from any thread.
    public func raise() { flag.store(true, ordering: .relaxed) }

    /// Installs handlers for SIGINT and SIGTERM (the default action is disabled while installed).
    func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in self.raise() }
            source.resume()
            sources.append(source)
        }
    }

    func uninstall() {
        for s in sources { s.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
