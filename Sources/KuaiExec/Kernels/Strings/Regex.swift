import CPCRE2
import KuaiCore

/// DuckDB's regular-expression options (the `options` argument of regexp_matches, regexp_replace,
/// regexp_extract): 'c' case-sensitive, 'i' case-insensitive, 'l' literal pattern, 'm'/'n'/'p'
/// newline-sensitive ('.' does not match '\n', the default), 's' '.' matches '\n', 'g' every
/// match (regexp_replace only). Any other letter is DuckDB's error "Unrecognized Regex option".
struct RegexOptions: Hashable {
    var caseInsensitive = false
    var dotMatchesNewline = false
    var literal = false
    var global = false

    /// Parses `text` (a constant); `allowGlobal` accepts 'g'.
    /// - Throws: `KuaiError.execution` for an unknown letter.
    init(_ text: String, allowGlobal: Bool) throws {
        for ch in text.unicodeScalars {
            switch ch {
            case "c": caseInsensitive = false
            case "i": caseInsensitive = true
            case "l": literal = true
            case "m", "n", "p": dotMatchesNewline = false
            case "s": dotMatchesNewline = true
            case "g" where allowGlobal: global = true
            default: throw KuaiError(.execution, "Unrecognized Regex option \(Character(ch))")
            }
        }
    }

    init() {}
}

/// A compiled regular expression over UTF-8 (PCRE2, 8-bit library), set up to behave as DuckDB's
/// RE2 does on the patterns both accept: UTF-8 code points, `.` not matching `\n` unless 's', `$`
/// only at the very end (PCRE2_DOLLAR_ENDONLY), `\d \w \s` ASCII-only (no PCRE2_UCP), leftmost-first
/// alternation. Differences from RE2 are listed in Formats/query-language.md "Regular expressions".
/// Matching is thread-safe; each thread brings its own `RegexMatch`.
final class RegexProgram: @unchecked Sendable {
    let code: OpaquePointer
    /// The pattern's capturing groups.
    let groups: Int

    /// Compiles `pattern` (UTF-8 bytes).
    /// - Throws: `KuaiError.execution` naming the pattern and PCRE2's message for an invalid pattern.
    init(_ pattern: UnsafeBufferPointer<UInt8>, _ options: RegexOptions) throws {
        var flags = UInt32(PCRE2_UTF)
        if options.caseInsensitive { flags |= UInt32(PCRE2_CASELESS) }
        if options.literal {
            flags |= UInt32(PCRE2_LITERAL)  // allows no option about metacharacters
        } else {
            flags |= UInt32(PCRE2_DOLLAR_ENDONLY)
            if options.dotMatchesNewline { flags |= UInt32(PCRE2_DOTALL) }
        }
        var error: Int32 = 0
        var offset = 0
        let start = pattern.baseAddress ?? RegexProgram.emptyBytes
        guard let c = pcre2_compile_8(start, pattern.count, flags, &error, &offset, nil) else {
            var message = [UInt8](repeating: 0, count: 256)
            let len = Int(max(0, pcre2_get_error_message_8(error, &message, message.count)))
            let text = String(decoding: message[0..<len], as: UTF8.self)
            let source = String(decoding: pattern, as: UTF8.self)
            throw KuaiError(.execution, "Invalid regular expression '\(source)': \(text) (at offset \(offset))")
        }
        code = c
        var n: UInt32 = 0
        _ = pcre2_pattern_info_8(c, UInt32(PCRE2_INFO_CAPTURECOUNT), &n)
        groups = Int(n)
        _ = pcre2_jit_compile_8(c, UInt32(PCRE2_JIT_COMPLETE))  // falls back to the interpreter on failure
    }

    deinit { pcre2_code_free_8(code) }

    /// A non-null address for empty subjects and patterns.
    nonisolated(unsafe) static let emptyBytes: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()
}

/// Match state of one thread (PCRE2 match data with room for group 0 and groups 1-9, the groups
/// that regexp_extract and replacement strings can name).
final class RegexMatch {
    let data: OpaquePointer
    /// Group 0-9 starts, then ends: plain memory, so a match writes its offsets without the
    /// sharing checks of an array's element writes.
    private let offsets: UnsafeMutablePointer<Int>

    /// Byte offsets of the groups 0-9 (read as `starts[g]`).
    struct GroupOffsets {
        let base: UnsafeMutablePointer<Int>
        subscript(_ g: Int) -> Int { base[g] }
    }
    /// Byte ranges of group 0-9 after a successful `search` (-1 for an unset group).
    var starts: GroupOffsets { GroupOffsets(base: offsets) }
    var ends: GroupOffsets { GroupOffsets(base: offsets + 10) }

    init() {
        data = pcre2_match_data_create_8(10, nil)
        offsets = .allocate(capacity: 20)
        offsets.initialize(repeating: -1, count: 20)
    }
    deinit {
        pcre2_match_data_free_8(data)
        offsets.deallocate()
    }

    /// Finds the leftmost match of `program` in `subject` at or after byte `from`; `whole` requires
    /// the match to span the subject (regexp_full_match). False when there is none (also for
    /// invalid UTF-8 in the subject).
    func search(_ program: RegexProgram, _ subject: UnsafeBufferPointer<UInt8>, from: Int = 0, whole: Bool = false)
        -> Bool
    {
        let start = subject.baseAddress ?? RegexProgram.emptyBytes
        let opts = whole ? UInt32(PCRE2_ANCHORED) | UInt32(PCRE2_ENDANCHORED) : 0
        let rc = pcre2_match_8(program.code, start, subject.count, from, opts, data, nil)
        if rc < 0 { return false }
        let ov = pcre2_get_ovector_pointer_8(data)!
        let pairs = min(10, program.groups + 1)
        for g in 0..<10 {
            if g < pairs, ov[2 * g] >= 0, ov[2 * g] <= subject.count {  // PCRE2_UNSET reads as -1
                offsets[g] = ov[2 * g]
                offsets[10 + g] = ov[2 * g + 1]
            } else {
                offsets[g] = -1
                offsets[10 + g] = -1
            }
        }
        return true
    }
}
