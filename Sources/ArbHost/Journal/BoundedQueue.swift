import Foundation

/// A bounded single-consumer queue between the kernel's thread and an I/O thread.
/// When full, `put` waits for room (backpressure, never a drop) and counts the wait,
/// so a slow disk or database shows up in the summary instead of losing records.
final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false
    let capacity: Int
    /// Times a producer found the queue full and had to wait.
    private(set) var backpressureWaits = 0
    private(set) var highWater = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        buffer = Array(repeating: nil, count: capacity)
    }

    func put(_ element: Element) {
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
    func takeBatch(max: Int, into batch: inout [Element]) {
        batch.removeAll(keepingCapacity: true)
        condition.lock()
        while count == 0 && !closed { condition.wait() }
        let n = min(max, count)
        for _ in 0..<n {
            batch.append(buffer[head]!)
            buffer[head] = nil
            head = (head + 1) % capacity
        }
        count -= n
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
