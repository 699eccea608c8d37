import Foundation

/// A bounded single-consumer queue between the kernel's thread and an I/O thread.
/// `put` waits when it is full (backpressure, for records that must not be lost: the
/// journal) and counts the wait; `tryPut` refuses instead (for market data, where the
/// caller records the loss as a gap). Either way a full queue is counted, never silent.
public final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false
    public let capacity: Int
    /// Times a producer found the queue full and had to wait.
    public private(set) var backpressureWaits = 0
    public private(set) var highWater = 0
    public private(set) var refused = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        buffer = Array(repeating: nil, count: capacity)
    }

    public func put(_ element: Element) {
        condition.lock()
        if count == capacity {
            backpressureWaits += 1
            while count == capacity && !closed { condition.wait() }
        }
        buffer[(head + count) % capacity] = element
        count += 1
        if count > highWater { highWater = count }
        condition.signal()
        condition.unlock()
    }

    /// Takes up to `max` elements, waiting while the queue is empty and open.
    /// An empty result means the queue is closed and drained.
    public func takeBatch(max: Int, into batch: inout [Element]) {
        takeBatch(max: max, into: &batch, waitingUntil: .distantFuture)
    }

    /// Adds the element if there is room; false (counted) if the queue is full.
    public func tryPut(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard count < capacity, !closed else { refused += 1; return false }
        buffer[(head + count) % capacity] = element
        count += 1
        if count > highWater { highWater = count }
        condition.signal()
        return true
    }

    /// Adds all of `elements` if there is room for all, else none (counted once); false
    /// then. One lock for the batch: a feed message's events go in together or not at all.
    public func tryPut(contentsOf elements: [Element]) -> Bool {
        guard !elements.isEmpty else { return true }
        condition.lock()
        defer { condition.unlock() }
        guard count + elements.count <= capacity, !closed else { refused += 1; return false }
        for e in elements {
            buffer[(head + count) % capacity] = e
            count += 1
        }
        if count > highWater { highWater = count }
        condition.signal()
        return true
    }

    /// Takes up to `max` elements, waiting at most until `deadline` (a `Date`) while the
    /// queue is empty and open. Returns false once the queue is closed and drained.
    @discardableResult
    public func takeBatch(max: Int, into batch: inout [Element], waitingUntil deadline: Date) -> Bool {
        batch.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed {
            // Foundation on Linux traps converting `distantFuture` to a timespec: no deadline
            // is a plain wait.
            if deadline == .distantFuture { condition.wait() } else if !condition.wait(until: deadline) { break }
        }
        let n = min(max, count)
        for _ in 0..<n {
            batch.append(buffer[head]!)
            buffer[head] = nil
            head = (head + 1) % capacity
        }
        count -= n
        if n > 0 { condition.broadcast() }
        return !(closed && count == 0 && n == 0)
    }

    /// Elements waiting now.
    public var waiting: Int { condition.lock(); defer { condition.unlock() }; return count }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
