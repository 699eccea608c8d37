/// Things the kernel has to do at a future time: venue arrivals, reports coming
/// back, strategy timers. A binary min-heap ordered by (time, insertion order), so
/// ties resolve the same way every run.
public struct EventScheduler: Sendable {
    public enum Action: Sendable {
        case orderArrival(Order)
        case cancelArrival(VenueId, ClientOrderId)
        case report(ExecutionReport)
        case timer(StrategyId, UInt64)
    }

    struct Entry: Sendable {
        var time: Timestamp
        var sequence: UInt64
        var action: Action
        @inline(__always) func precedes(_ other: Entry) -> Bool {
            time < other.time || (time == other.time && sequence < other.sequence)
        }
    }

    private var heap: ContiguousArray<Entry> = []
    private var sequence: UInt64 = 0

    public init() { heap.reserveCapacity(1024) }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var nextTime: Timestamp? { heap.first?.time }

    public mutating func schedule(_ action: Action, at time: Timestamp) {
        sequence &+= 1
        heap.append(Entry(time: time, sequence: sequence, action: action))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) >> 1
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    public mutating func popNext() -> (Timestamp, Action)? {
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
        return (top.time, top.action)
    }
}
