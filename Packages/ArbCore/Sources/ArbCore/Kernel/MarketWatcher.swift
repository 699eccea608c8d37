/// Watches the market as the client sees it, after each event is applied to the books
/// and before strategies wake: the universe rule (`top_n`) ranks symbols from it and
/// switches instruments' tradability. Called on the kernel's thread, once per event,
/// only when one is set.
public protocol MarketWatcher: AnyObject {
    func marketEvent(_ event: MarketEvent, kernel: Kernel)
}
