public import StrataCore

/// What a token may do. `read` covers lookups, historical retrieval, registry reads, lineage and the UI; `push` writes
/// rows online and offline through `/push`; `apply` is reserved for applying through a server; `admin` is everything.
public enum TokenScope: String, Sendable, Codable, CaseIterable {
    case read, push, apply, admin
}

/// A token as the registry keeps it: its SHA-256, never the token itself.
public struct StoredToken: Sendable, Hashable, Codable {
    public var name: String
    /// Lowercase hex SHA-256 of the token text.
    public var hash: String
    public var scopes: [String]
    /// `tag:team=mobility`, `view:driver_*`, `service:ranking_*`: when not empty, the token reaches only the views and
    /// services one of them matches.
    public var only: [String]
    public var expiresAtMicros: Int64?
    public var createdAtMicros: Int64
    public var createdBy: String
    public var revokedAtMicros: Int64?

    public init(name: String, hash: String, scopes: [String], only: [String], expiresAtMicros: Int64?, createdAtMicros: Int64, createdBy: String,
                revokedAtMicros: Int64? = nil) {
        self.name = name
        self.hash = hash
        self.scopes = scopes
        self.only = only
        self.expiresAtMicros = expiresAtMicros
        self.createdAtMicros = createdAtMicros
        self.createdBy = createdBy
        self.revokedAtMicros = revokedAtMicros
    }

    /// Not revoked and not expired at `now`.
    public func isLive(at now: Int64) -> Bool {
        revokedAtMicros == nil && (expiresAtMicros.map { now < $0 } ?? true)
    }

    /// True when the token grants `scope` (`admin` grants every scope).
    public func allows(_ scope: TokenScope) -> Bool {
        scopes.contains(TokenScope.admin.rawValue) || scopes.contains(scope.rawValue)
    }

    /// True when no `only` pattern limits the token, or one matches the view's name (`view:`) or one of its tags (`tag:`).
    public func reaches(view: FeatureViewDefinition) -> Bool {
        only.isEmpty || only.contains { TokenPattern.matches($0, kind: "view", name: view.name, tags: view.tags) }
    }

    /// The same for a service (`service:` patterns and tags).
    public func reaches(service: FeatureServiceDefinition) -> Bool {
        only.isEmpty || only.contains { TokenPattern.matches($0, kind: "service", name: service.name, tags: service.tags) }
    }
}

/// The `--only` patterns of tokens: `KIND:GLOB` (`view:driver_*`, `service:ranking`) or `tag:TAG` (`tag:team=mobility`).
public enum TokenPattern {
    public static let kinds = ["view", "service", "tag"]

    /// Nil when the pattern is well formed, else what is wrong with it.
    public static func problem(_ pattern: String) -> String? {
        guard let colon = pattern.firstIndex(of: ":") else { return "`\(pattern)` has no kind: write `view:GLOB`, `service:GLOB` or `tag:TAG`" }
        let kind = String(pattern[..<colon]), rest = pattern[pattern.index(after: colon)...]
        guard kinds.contains(kind) else { return "`\(kind)` is not a kind of `--only` pattern (view, service, tag)" }
        return rest.isEmpty ? "`\(pattern)` names nothing after `\(kind):`" : nil
    }

    static func matches(_ pattern: String, kind: String, name: String, tags: [String]) -> Bool {
        guard let colon = pattern.firstIndex(of: ":") else { return false }
        let patternKind = pattern[..<colon], rest = String(pattern[pattern.index(after: colon)...])
        if patternKind == "tag" { return tags.contains(rest) }
        return patternKind == kind && glob(rest, name)
    }

    /// `*` matches any run of characters, `?` one; everything else itself.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// Token text and its hash.
public enum TokenSecret {
    /// A new token: `strata_` and 32 random bytes, base64url.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = "strata_"
        var bits = 0, buffer = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[(buffer >> bits) & 63])
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (6 - bits)) & 63]) }
        return out
    }

    /// Lowercase hex SHA-256.
    public static func hash(_ token: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(token.utf8))
        return hasher.finalizeHex()
    }

    /// Compares two equal-length strings in time that does not depend on where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
