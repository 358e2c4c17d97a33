import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal (so logs and pipes stay clean).
final class ProgressBar {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDraw: UInt64 = 0

    func update(_ label: String, done: Int, total: Int) {
        guard isTerminal, total > 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard done == total || now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let fraction = Double(done) / Double(total)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(Int(fraction * 100))%".utf8))
        if done == total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
