// The sign-in attempt limit as a pure function of a clock: free attempts, then doubling waits per client, a bound,
// forgiveness on success. (The 429 with Retry-After over real HTTP is in python/tests/test_ui.py.)
@testable import StrataServer
import Testing

@Suite struct LoginThrottleTests {
    @Test("after the free failures each wrong token doubles the wait, capped, per client; a success clears it")
    func backoff() {
        let throttle = LoginThrottle(freeFailures: 3, maxDelaySeconds: 8)
        var now = 100.0
        for _ in 0..<3 {
            #expect(throttle.retryAfter(client: "a", now: now) == nil)
            throttle.recordFailure(client: "a", now: now)
        }
        #expect(throttle.retryAfter(client: "a", now: now) == nil, "three mistakes are free")
        var expected: [Int] = []
        var waits: [Int] = []
        for n in 1...6 {
            throttle.recordFailure(client: "a", now: now)
            expected.append(min(8, 1 << (n - 1)))
            let wait = throttle.retryAfter(client: "a", now: now) ?? 0
            waits.append(wait)
            #expect(throttle.retryAfter(client: "b", now: now) == nil, "another client is not slowed")
            #expect(throttle.retryAfter(client: "a", now: now + Double(wait) - 0.5) != nil)
            now += Double(wait)
            #expect(throttle.retryAfter(client: "a", now: now) == nil, "the wait ends")
        }
        #expect(waits == expected)
        throttle.recordSuccess(client: "a")
        throttle.recordFailure(client: "a", now: now)
        #expect(throttle.retryAfter(client: "a", now: now) == nil, "a success forgives earlier failures")
    }

    @Test("the table of clients stays bounded whatever the number of addresses")
    func bounded() {
        let throttle = LoginThrottle(freeFailures: 0, maxDelaySeconds: 1)
        for i in 0..<(LoginThrottle.clientsMax + 10) { throttle.recordFailure(client: "c\(i)", now: 0) }
        #expect(throttle.clientCount <= LoginThrottle.clientsMax)
        #expect(throttle.retryAfter(client: "c\(LoginThrottle.clientsMax + 9)", now: 0) == 1)
    }
}
