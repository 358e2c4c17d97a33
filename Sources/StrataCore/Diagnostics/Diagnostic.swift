/// One problem found in a definition; many are collected and reported together.
public struct Diagnostic: StrataError, Hashable, Codable {
    public var what: String
    public var location: SourceLocation?
    public var fix: String?

    public init(_ what: String, at location: SourceLocation?, fix: String? = nil) {
        self.what = what
        self.location = location
        self.fix = fix
    }
}

/// Every problem found in a project's definitions, sorted by file and line.
public struct DefinitionErrors: Error, CustomStringConvertible, Sendable {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { lhs, rhs in
            switch (lhs.location, rhs.location) {
            case let (l?, r?): return l < r
            case (nil, .some): return false
            case (.some, nil): return true
            case (nil, nil): return lhs.what < rhs.what
            }
        }
    }

    public var description: String {
        let count = diagnostics.count
        let body = diagnostics.map(\.description).joined(separator: "\n\n")
        return body + "\n\n\(count) error\(count == 1 ? "" : "s") in definitions"
    }
}

/// Suggests the closest of `candidates` to a misspelt `word`, ArgumentParser-style.
public func nearMiss(_ word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        let limit = max(2, candidate.count / 3)
        if distance <= limit, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    return best?.0
}

/// A "did you mean" sentence, or nil when nothing is close.
public func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String? {
    nearMiss(word, in: candidates).map { "did you mean `\($0)`?" }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
