/// Parses expression text into an `Expr`.
///
/// Precedence, loosest first: `or`, `and`, `not`, comparisons and `is [not] null`, `+ -`, `* / %`, `||`, unary `-`.
/// `ExpressionParser.parse("coalesce(trips, 0) * 2")`
public enum ExpressionParser {
    static let keywords: Set<String> = ["and", "or", "not", "is", "null", "true", "false", "case", "when", "then", "else", "end", "cast", "as"]
    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    public static let depthMax = 64

    public static func parse(_ text: String) -> Result<Expr, ExpressionError> {
        switch Lexer.tokenize(text) {
        case .failure(let error): return .failure(error)
        case .success(let tokens):
            var parser = State(tokens: tokens)
            do throws(ExpressionError) {
                let expr = try parser.parseOr()
                guard case .end = parser.current.kind else {
                    throw ExpressionError("unexpected \(parser.current.display) after a complete expression", offset: parser.current.offset, fix: "join parts with an operator such as `+` or `and`")
                }
                return .success(expr)
            } catch {
                return .failure(error)
            }
        }
    }

    struct State {
        var tokens: [Token]
        var position = 0
        var depth = 0

        var current: Token { tokens[position] }

        mutating func advance() { if position < tokens.count - 1 { position += 1 } }

        func isKeyword(_ word: String) -> Bool {
            if case .identifier(let name) = current.kind { return name.lowercased() == word }
            return false
        }

        func isSymbol(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }

        mutating func expectSymbol(_ symbol: String, _ context: String) throws(ExpressionError) {
            guard isSymbol(symbol) else { throw ExpressionError("expected `\(symbol)` \(context), found \(current.display)", offset: current.offset) }
            advance()
        }

        mutating func expectKeyword(_ word: String, _ context: String) throws(ExpressionError) {
            guard isKeyword(word) else { throw ExpressionError("expected `\(word)` \(context), found \(current.display)", offset: current.offset) }
            advance()
        }

        mutating func nested<T>(_ body: (inout State) throws(ExpressionError) -> T) throws(ExpressionError) -> T {
            depth += 1
            defer { depth -= 1 }
            guard depth <= ExpressionParser.depthMax else {
                throw ExpressionError("expression is nested more than \(ExpressionParser.depthMax) levels deep", offset: current.offset, fix: "split it into several features")
            }
            return try body(&self)
        }

        mutating func parseOr() throws(ExpressionError) -> Expr {
            try nested { (s: inout State) throws(ExpressionError) -> Expr in
                var lhs = try s.parseAnd()
                while s.isKeyword("or") {
                    let offset = s.current.offset
                    s.advance()
                    lhs = .binary(.or, lhs, try s.parseAnd(), offset: offset)
                }
                return lhs
            }
        }

        mutating func parseAnd() throws(ExpressionError) -> Expr {
            var lhs = try parseNot()
            while isKeyword("and") {
                let offset = current.offset
                advance()
                lhs = .binary(.and, lhs, try parseNot(), offset: offset)
            }
            return lhs
        }

        mutating func parseNot() throws(ExpressionError) -> Expr {
            if isKeyword("not") {
                let offset = current.offset
                advance()
                return .unary(.not, try nested { (s: inout State) throws(ExpressionError) in try s.parseNot() }, offset: offset)
            }
            return try parseComparison()
        }

        mutating func parseComparison() throws(ExpressionError) -> Expr {
            let lhs = try parseAdditive()
            if isKeyword("is") {
                let offset = current.offset
                advance()
                var negated = false
                if isKeyword("not") { negated = true; advance() }
                try expectKeyword("null", "after `is`")
                return .isNull(lhs, isNegated: negated, offset: offset)
            }
            for op in [BinaryOperator.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater] where isSymbol(op.rawValue) {
                let offset = current.offset
                advance()
                return .binary(op, lhs, try parseAdditive(), offset: offset)
            }
            return lhs
        }

        mutating func parseAdditive() throws(ExpressionError) -> Expr {
            var lhs = try parseMultiplicative()
            while isSymbol("+") || isSymbol("-") {
                let op: BinaryOperator = isSymbol("+") ? .add : .subtract
                let offset = current.offset
                advance()
                lhs = .binary(op, lhs, try parseMultiplicative(), offset: offset)
            }
            return lhs
        }

        mutating func parseMultiplicative() throws(ExpressionError) -> Expr {
            var lhs = try parseConcat()
            while isSymbol("*") || isSymbol("/") || isSymbol("%") {
                let op: BinaryOperator = isSymbol("*") ? .multiply : isSymbol("/") ? .divide : .remainder
                let offset = current.offset
                advance()
                lhs = .binary(op, lhs, try parseConcat(), offset: offset)
            }
            return lhs
        }

        mutating func parseConcat() throws(ExpressionError) -> Expr {
            var lhs = try parseUnary()
            while isSymbol("||") {
                let offset = current.offset
                advance()
                lhs = .binary(.concat, lhs, try parseUnary(), offset: offset)
            }
            return lhs
        }

        mutating func parseUnary() throws(ExpressionError) -> Expr {
            guard isSymbol("-") else { return try parsePrimary() }
            let offset = current.offset
            advance()
            if case .integer(let value) = current.kind {
                advance()
                return .literal(.int(value == Int64.min ? value : -value), offset: offset)
            }
            if case .float(let value) = current.kind {
                advance()
                return .literal(.float(-value), offset: offset)
            }
            return .unary(.negate, try nested { (s: inout State) throws(ExpressionError) in try s.parseUnary() }, offset: offset)
        }

        mutating func parsePrimary() throws(ExpressionError) -> Expr {
            let token = current
            switch token.kind {
            case .integer(let value):
                guard value != Int64.min else {
                    throw ExpressionError("`9223372036854775808` does not fit in int64", offset: token.offset, fix: "write it as a float, e.g. `9223372036854775808.0`")
                }
                advance()
                return .literal(.int(value), offset: token.offset)
            case .float(let value):
                advance()
                return .literal(.float(value), offset: token.offset)
            case .string(let value):
                advance()
                return .literal(.string(value), offset: token.offset)
            case .symbol("("):
                advance()
                let inner = try parseOr()
                try expectSymbol(")", "to close `(`")
                return inner
            case .identifier(let name):
                return try parseIdentifier(name, token)
            case .end:
                throw ExpressionError("expression ends too early", offset: token.offset, fix: "complete the expression")
            case .symbol(let symbol):
                throw ExpressionError("unexpected `\(symbol)`", offset: token.offset, fix: "put a value, column or function call here")
            }
        }

        mutating func parseIdentifier(_ name: String, _ token: Token) throws(ExpressionError) -> Expr {
            if name.hasPrefix("\"") {
                advance()
                return .column(String(name.dropFirst()), offset: token.offset)
            }
            switch name.lowercased() {
            case "null": advance(); return .literal(.null, offset: token.offset)
            case "true": advance(); return .literal(.bool(true), offset: token.offset)
            case "false": advance(); return .literal(.bool(false), offset: token.offset)
            case "case": return try parseCase()
            case "cast": return try parseCast()
            default: break
            }
            if ExpressionParser.keywords.contains(name.lowercased()) {
                throw ExpressionError("unexpected keyword `\(name)`", offset: token.offset, fix: "quote a column with this name as \"\(name)\"")
            }
            advance()
            guard isSymbol("(") else { return .column(name, offset: token.offset) }
            advance()
            var args: [Expr] = []
            if !isSymbol(")") {
                repeat {
                    if isSymbol(",") { advance() }
                    args.append(try parseOr())
                } while isSymbol(",")
            }
            try expectSymbol(")", "to close the arguments of `\(name)`")
            return .call(name.lowercased(), args, offset: token.offset)
        }

        mutating func parseCase() throws(ExpressionError) -> Expr {
            let offset = current.offset
            advance()
            var clauses: [WhenClause] = []
            while isKeyword("when") {
                advance()
                let condition = try parseOr()
                try expectKeyword("then", "after the `when` condition")
                clauses.append(WhenClause(condition: condition, result: try parseOr()))
            }
            guard !clauses.isEmpty else { throw ExpressionError("`case` needs at least one `when … then …`", offset: current.offset) }
            var otherwise: Expr?
            if isKeyword("else") {
                advance()
                otherwise = try parseOr()
            }
            try expectKeyword("end", "to close `case`")
            return .caseWhen(clauses, otherwise: otherwise, offset: offset)
        }

        mutating func parseCast() throws(ExpressionError) -> Expr {
            let offset = current.offset
            advance()
            try expectSymbol("(", "after `cast`")
            let inner = try parseOr()
            try expectKeyword("as", "in `cast(value as type)`")
            guard case .identifier(let typeName) = current.kind, let type = ValueType.named(typeName) else {
                throw ExpressionError("expected a type after `as`, found \(current.display)", offset: current.offset, fix: "use one of \(ValueType.spellings)")
            }
            advance()
            try expectSymbol(")", "to close `cast(`")
            return .cast(inner, type, offset: offset)
        }
    }
}

extension Token {
    var display: String {
        switch kind {
        case .integer(let v): return "`\(v)`"
        case .float(let v): return "`\(v)`"
        case .string(let v): return "'\(v)'"
        case .identifier(let v): return "`\(v)`"
        case .symbol(let v): return "`\(v)`"
        case .end: return "the end of the expression"
        }
    }
}
