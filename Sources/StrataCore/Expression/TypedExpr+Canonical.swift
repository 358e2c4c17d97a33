/// A canonical text of a checked expression: what it computes, independent of how it was written.
///
/// Whitespace, parentheses and keyword case do not change it; column references are written by name and type (never by
/// position, which moves when a source gains a column). Two expressions with the same text compute the same value for
/// every row, which is what storage identities (`StorageIdentity`) rely on.
extension TypedExpr {
    public var canonicalText: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .literal(let value, let type): out += "(lit \(type) \(Self.canonical(value)))"
        case .column(_, let name, let type): out += "(col \(name.count):\(name) \(type))"
        case .negate(let inner, let type): node("neg \(type)", [inner], &out)
        case .arithmetic(let op, let a, let b, let type): node("\(op.rawValue) \(type)", [a, b], &out)
        case .concat(let a, let b): node("||", [a, b], &out)
        case .compare(let op, let a, let b): node(op.rawValue, [a, b], &out)
        case .logical(let op, let a, let b): node(op.rawValue, [a, b], &out)
        case .not(let inner): node("not", [inner], &out)
        case .isNull(let inner, let isNegated): node(isNegated ? "notnull" : "isnull", [inner], &out)
        case .caseWhen(let arms, let otherwise, let type):
            out += "(case \(type)"
            for arm in arms {
                out += " "
                node("when", [arm.condition, arm.result], &out)
            }
            if let otherwise {
                out += " "
                node("else", [otherwise], &out)
            }
            out += ")"
        case .function(let function, let arguments, let type): node("\(function.rawValue) \(type)", arguments, &out)
        case .cast(let inner, let type): node("cast \(type)", [inner], &out)
        }
    }

    private func node(_ head: String, _ children: [TypedExpr], _ out: inout String) {
        out += "(" + head
        for child in children {
            out += " "
            child.write(to: &out)
        }
        out += ")"
    }

    /// Literals with their exact bits: a float by its IEEE pattern, a string with its length so no text can forge a
    /// closing parenthesis.
    private static func canonical(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .int(let v): return String(v)
        case .float(let v): return "0x" + String(v.bitPattern, radix: 16)
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return "\(s.utf8.count):\(s)"
        }
    }
}
