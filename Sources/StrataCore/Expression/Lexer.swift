/// Splits expression text into tokens. Strings use single quotes with `''` as the escape, as in SQL.
struct Token: Equatable {
    enum Kind: Equatable {
        case integer(Int64)
        case float(Double)
        case string(String)
        case identifier(String)
        case symbol(String)
        case end
    }

    var kind: Kind
    var offset: Int
}

enum Lexer {
    static let symbols = ["||", "<=", ">=", "!=", "<>", "==", "+", "-", "*", "/", "%", "(", ")", ",", "<", ">", "="]

    static func tokenize(_ text: String) -> Result<[Token], ExpressionError> {
        let chars = Array(text)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            let start = i
            if c.isASCII, c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                switch lexNumber(chars, &i) {
                case .success(let kind): tokens.append(Token(kind: kind, offset: start))
                case .failure(let error): return .failure(error)
                }
            } else if c == "'" {
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "'" {
                        if i + 1 < chars.count, chars[i + 1] == "'" { value.append("'"); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    value.append(chars[i])
                    i += 1
                }
                guard closed else {
                    return .failure(ExpressionError("string literal is not closed", offset: start, fix: "end it with `'` (write `''` for a quote inside)"))
                }
                tokens.append(Token(kind: .string(value), offset: start))
            } else if c.isLetter || c == "_" {
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                tokens.append(Token(kind: .identifier(String(chars[start..<i])), offset: start))
            } else if c == "\"" {
                // Double quotes name a column whose name is also a keyword, as in SQL.
                i += 1
                while i < chars.count, chars[i] != "\"" { i += 1 }
                guard i < chars.count else {
                    return .failure(ExpressionError("quoted column name is not closed", offset: start, fix: "end it with `\"`"))
                }
                tokens.append(Token(kind: .identifier("\"" + String(chars[(start + 1)..<i])), offset: start))
                i += 1
            } else if let symbol = symbols.first(where: { matches($0, chars, at: i) }) {
                i += symbol.count
                let normal = symbol == "<>" ? "!=" : symbol == "==" ? "=" : symbol
                tokens.append(Token(kind: .symbol(normal), offset: start))
            } else {
                return .failure(ExpressionError("unexpected character `\(c)`", offset: start, fix: "expressions use + - * / % || = != < <= > >=, parentheses and commas"))
            }
        }
        tokens.append(Token(kind: .end, offset: chars.count))
        return .success(tokens)
    }

    private static func matches(_ symbol: String, _ chars: [Character], at i: Int) -> Bool {
        var j = i
        for s in symbol {
            guard j < chars.count, chars[j] == s else { return false }
            j += 1
        }
        return true
    }

    private static func lexNumber(_ chars: [Character], _ i: inout Int) -> Result<Token.Kind, ExpressionError> {
        let start = i
        var isFloat = false
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
        if i < chars.count, chars[i] == "." { isFloat = true; i += 1; while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 } }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
            if j < chars.count, chars[j].isASCII, chars[j].isNumber {
                isFloat = true
                i = j
                while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
            }
        }
        let text = String(chars[start..<i])
        if isFloat {
            guard let value = Double(text), value.isFinite else {
                return .failure(ExpressionError("`\(text)` is not a finite number", offset: start))
            }
            return .success(.float(value))
        }
        // 9223372036854775808 is only valid after a minus sign; the parser folds `-` into it.
        if text == "9223372036854775808" { return .success(.integer(Int64.min)) }
        guard let value = Int64(text) else {
            return .failure(ExpressionError("`\(text)` does not fit in int64", offset: start, fix: "write it as a float, e.g. `\(text).0`"))
        }
        return .success(.integer(value))
    }
}
