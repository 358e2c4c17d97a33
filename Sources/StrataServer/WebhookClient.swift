import Foundation

/// Posts one JSON body to an `http://host[:port]/path` address over a blocking socket, with a timeout on connect,
/// send and receive. Blocking: run it on the server's thread pool, never on the cooperative pool.
enum WebhookClient {
    struct Target: Sendable, Hashable {
        var host: String
        var port: Int
        var path: String

        /// Parses `http://host[:port][/path]`; nil for anything else (the definition loader already refused it).
        init?(_ url: String) {
            guard url.hasPrefix("http://") else { return nil }
            let rest = url.dropFirst("http://".count)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = String(rest[..<slash])
            path = slash < rest.endIndex ? String(rest[slash...]) : "/"
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? 0 : 80
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                port = Int(authority[authority.index(after: colon)...]) ?? 0
            } else {
                host = authority
                port = 80
            }
            guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        }
    }

    /// Sends the request and reads the status line. Returns nil on a 2xx answer, otherwise what went wrong.
    static func post(_ target: Target, body: [UInt8], timeoutSeconds: Int = 5) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, String(target.port), &hints, &list) == 0, let first = list else {
            return "cannot resolve host \(target.host)"
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return "socket: errno \(errno)" }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return "connect to \(target.host):\(target.port): errno \(errno)" }
        let head = "POST \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nContent-Type: application/json\r\n"
            + "User-Agent: strata-alerts\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        for part in [Array(head.utf8), body] {
            var sent = 0
            while sent < part.count {
                let count = part[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { return "send: errno \(errno)" }
                sent += count
            }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.contains(UInt8(ascii: "\n")), received.count < 65536 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        let line = String(decoding: received.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            return received.isEmpty ? "no answer within \(timeoutSeconds)s" : "not an HTTP answer: \(line.prefix(80))"
        }
        return (200..<300).contains(status) ? nil : "the webhook answered \(status)"
    }
}
