import Foundation

/// A bare HTTP/1.1 client over a blocking socket: it writes the whole request (head and body) before reading, as
/// urllib and requests do, with no `Expect: 100-continue`. Used to test how the server treats such clients.
public enum RawHTTP {
    /// What came back: the status of the first response line (nil when none arrived) and the text read.
    public struct Answer: Sendable {
        public var status: Int?
        public var text: String
        /// Why the exchange stopped early, if it did (a send or receive error or timeout).
        public var failure: String?
    }

    /// Sends `POST path` with `body`, then reads one response (or until the server closes, or `timeoutSeconds` pass
    /// without data).
    public static func post(port: Int, path: String, body: [UInt8], extraHeaders: [String] = [], timeoutSeconds: Int = 10) -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Answer(status: nil, text: "", failure: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return Answer(status: nil, text: "", failure: "connect: \(errno)") }
        let head = (["POST \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Content-Type: application/json", "Content-Length: \(body.count)"]
            + extraHeaders).joined(separator: "\r\n") + "\r\n\r\n"
        var failure = send(fd, Array(head.utf8)) ?? send(fd, body)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
                if isComplete(received) { break }
                continue
            }
            if count < 0, failure == nil { failure = "receive: errno \(errno)" }
            break
        }
        let text = String(decoding: received, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
        return Answer(status: text.hasPrefix("HTTP/1.1 ") ? status : nil, text: text, failure: failure)
    }

    /// True once the bytes hold a head and as many body bytes as its `Content-Length` says.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return false }
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> String? {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return "send: errno \(errno) after \(offset) of \(bytes.count) bytes" }
            offset += sent
        }
        return nil
    }
}
