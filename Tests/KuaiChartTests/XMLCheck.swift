/// A strict checker of the XML the charts write (elements, attributes in double quotes, text,
/// entities; no comments, CDATA or processing instructions, which the writer never emits).
/// Foundation's XMLParser on Linux reports success for some malformed input, so tests use this.
/// - Returns: nil when `xml` is one well-formed element, else what is wrong and where.
func xmlProblem(_ xml: String) -> String? {
    let s = Array(xml.unicodeScalars)
    var i = 0
    var stack: [String] = []
    var roots = 0
    func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "-" || c == "_" || c == ":"
    }
    func name() -> String {
        var n = ""
        while i < s.count, isNameScalar(s[i]) {
            n.unicodeScalars.append(s[i])
            i += 1
        }
        return n
    }
    func entity() -> Bool {
        var j = i + 1
        var body = ""
        while j < s.count, s[j] != ";", j - i < 12 {
            body.unicodeScalars.append(s[j])
            j += 1
        }
        guard j < s.count, s[j] == ";" else { return false }
        let named = ["amp", "lt", "gt", "quot", "apos"].contains(body)
        let numeric = body.hasPrefix("#") && body.count > 1 && body.dropFirst().allSatisfy { $0.isNumber }
        guard named || numeric else { return false }
        i = j + 1
        return true
    }
    func skipSpace() { while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" || s[i] == "\r" { i += 1 } }
    while i < s.count {
        if s[i] == "&" {
            if !entity() { return "bad entity at \(i)" }
        } else if s[i] != "<" {
            if stack.isEmpty && !(s[i] == "\n" || s[i] == " ") { return "text outside the root at \(i)" }
            i += 1
        } else if i + 1 < s.count, s[i + 1] == "/" {
            i += 2
            let n = name()
            guard i < s.count, s[i] == ">" else { return "bad end tag at \(i)" }
            guard stack.popLast() == n else { return "</\(n)> does not close the open element at \(i)" }
            i += 1
        } else {
            i += 1
            let n = name()
            if n.isEmpty { return "bad tag at \(i)" }
            if stack.isEmpty { roots += 1 }
            while true {
                skipSpace()
                guard i < s.count else { return "unterminated tag <\(n)>" }
                if s[i] == ">" {
                    stack.append(n)
                    i += 1
                    break
                }
                if s[i] == "/", i + 1 < s.count, s[i + 1] == ">" {
                    i += 2
                    break
                }
                let attribute = name()
                guard !attribute.isEmpty, i + 1 < s.count, s[i] == "=", s[i + 1] == "\"" else {
                    return "bad attribute in <\(n)> at \(i)"
                }
                i += 2
                while i < s.count, s[i] != "\"" {
                    if s[i] == "<" { return "< in an attribute value at \(i)" }
                    if s[i] == "&" {
                        if !entity() { return "bad entity in an attribute at \(i)" }
                    } else {
                        i += 1
                    }
                }
                guard i < s.count else { return "unterminated attribute value" }
                i += 1
            }
        }
    }
    if !stack.isEmpty { return "unclosed <\(stack.last!)>" }
    return roots == 1 ? nil : "\(roots) root elements"
}

/// True when `xml` is well-formed (`xmlProblem` finds nothing).
func isWellFormedXML(_ xml: String) -> Bool { xmlProblem(xml) == nil }
