/// Things to do at a future time, in (time, insertion order): a binary min-heap, so
/// ties resolve the same way every run. The kernel keeps one for the client side
/// (reports arriving, timers); a simulated exchange keeps its own (order arrivals,
/// competitors).
///
/// Inlinable so that each client module specialises it for its own action type: an
/// unspecialised generic looks its metadata up on every call (a fifth of an event once).
@frozen
public struct TimedQueue<Action> {
    @usableFromInline struct Entry {
        @usableFromInline var time: Timestamp
        @usableFromInline var sequence: UInt64
        @usableFromInline var action: Action
        @inlinable init(time: Timestamp, sequence: UInt64, action: Action) { self.time = time; self.sequence = sequence; self.action = action }
        @inlinable @inline(__always) func precedes(_ other: Entry) -> Bool {
            time < other.time || (time == other.time && sequence < other.sequence)
        }
    }

    @usableFromInline var heap: ContiguousArray<Entry> = []
    @usableFromInline var sequence: UInt64 = 0
    /// `heap.first?.time`, kept apart so reading it touches no generic storage.
    @usableFromInline var earliest: Timestamp = .distantFuture

    @inlinable public init() { heap.reserveCapacity(1024) }

    @inlinable public var count: Int { heap.count }
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    @inlinable @inline(__always) public var nextTime: Timestamp? { heap.isEmpty ? nil : earliest }
    /// The next action, without taking it (a copy).
    @inlinable public var nextAction: Action? { heap.isEmpty ? nil : heap[0].action }

    @inlinable public mutating func schedule(_ action: Action, at time: Timestamp) {
        sequence &+= 1
        heap.append(Entry(time: time, sequence: sequence, action: action))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) >> 1
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
        earliest = heap[0].time
    }

    @inlinable public mutating func popNext() -> (Timestamp, Action)? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            let n = heap.count
            while true {
                let left = 2 * parent + 1
                if left >= n { break }
                var best = left
                if left + 1 < n && heap[left + 1].precedes(heap[left]) { best = left + 1 }
                guard heap[best].precedes(heap[parent]) else { break }
                heap.swapAt(best, parent)
                parent = best
            }
        }
        earliest = heap.isEmpty ? .distantFuture : heap[0].time
        return (top.time, top.action)
    }
}

extension TimedQueue: Sendable where Action: Sendable {}
extension TimedQueue.Entry: Sendable where Action: Sendable {}

/// What the kernel does at a future time: all of it client-side. Order and cancel
/// arrivals happen at the venue (a simulated exchange schedules them itself).
public enum KernelAction: Sendable {
    /// A venue's report reaches the client.
    case report(ExecutionReport)
    case timer(StrategyId, UInt64)
    /// A simulated transfer between venues arrives (its index in `Kernel.transfers`).
    case transferArrival(Int)
}

/// The kernel's client-side schedule.
public typealias EventScheduler = TimedQueue<KernelAction>
