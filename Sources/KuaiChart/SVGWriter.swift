/// Builds the text of one SVG image (SVG 1.1 elements, inline in HTML or standalone).
///
/// Every text and attribute value goes through `SVGWriter.escape`, so data (titles, category
/// names, SQL results) can never close an element or inject markup. Coordinates are written with at
/// most 2 decimals (`NumberFormat.coordinate`).
public struct SVGWriter {
    /// The markup written so far (the elements inside `<svg>`).
    private var body: String = ""
    public let width: Double
    public let height: Double

    /// An image of `width` x `height` CSS pixels.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// `text` safe inside an element or a double- or single-quoted attribute: `& < > " '` become
    /// entities, and characters XML 1.0 forbids (controls other than tab, newline and carriage
    /// return, lone surrogates cannot occur in a Swift String) become U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// ` name="value"` for each pair (values escaped, numbers as coordinates).
    static func attributes(_ pairs: [(String, SVGValue)]) -> String {
        var s = ""
        for (name, value) in pairs {
            s += " " + name + "=\"" + value.text + "\""
        }
        return s
    }

    /// Appends `<name attributes/>`, or `<name attributes><title>tooltip</title></name>` when a
    /// tooltip is given (browsers show an SVG `<title>` child on hover, without script).
    public mutating func element(_ name: String, _ pairs: [(String, SVGValue)], tooltip: String? = nil) {
        body += "<" + name + SVGWriter.attributes(pairs)
        if let tooltip {
            body += "><title>" + SVGWriter.escape(tooltip) + "</title></" + name + ">\n"
        } else {
            body += "/>\n"
        }
    }

    /// Appends a `<text>` element holding `content` (escaped).
    public mutating func text(_ content: String, _ pairs: [(String, SVGValue)]) {
        body += "<text" + SVGWriter.attributes(pairs) + ">" + SVGWriter.escape(content) + "</text>\n"
    }

    /// Opens a `<g>` group; close it with `endGroup()`.
    public mutating func beginGroup(_ pairs: [(String, SVGValue)] = []) {
        body += "<g" + SVGWriter.attributes(pairs) + ">\n"
    }

    public mutating func endGroup() { body += "</g>\n" }

    /// Appends markup built elsewhere by an `SVGWriter` (e.g. `<defs>`); not escaped.
    mutating func raw(_ markup: String) { body += markup }

    /// The whole `<svg>` element: `viewBox` of the image size, `role="img"`, an accessible
    /// `<title>` (escaped), the font, then the body. `id` must be an XML name (letters, digits, `-`).
    public func finish(id: String, title: String) -> String {
        let w = NumberFormat.coordinate(width)
        let h = NumberFormat.coordinate(height)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" + SVGWriter.escape(id) + "\" viewBox=\"0 0 " + w + " "
            + h + "\" width=\"" + w + "\" height=\"" + h + "\" role=\"img\" aria-labelledby=\""
            + SVGWriter.escape(id) + "-title\" font-family=\"" + ChartStyle.fontFamily + "\" font-size=\""
            + NumberFormat.coordinate(ChartStyle.tickFontSize) + "\">\n<title id=\"" + SVGWriter.escape(id)
            + "-title\">" + SVGWriter.escape(title) + "</title>\n" + body + "</svg>\n"
    }
}

/// An attribute value: text (escaped when written) or a number (written as a coordinate).
public enum SVGValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case number(Double)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }

    var text: String {
        switch self {
        case .string(let s): return SVGWriter.escape(s)
        case .number(let v): return NumberFormat.coordinate(v)
        }
    }
}

/// Sizes and fonts shared by every chart kind.
public enum ChartStyle {
    /// The font stack of the SVG text (the HTML page uses the same).
    public static let fontFamily = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
    public static let tickFontSize = 11.0
    public static let labelFontSize = 12.0
    public static let width = 760.0
    public static let gridColor = "#DDDDDD"
    public static let axisColor = "#444444"
    public static let textColor = "#222222"

    /// An estimate of the width in pixels of `text` at `fontSize` in a sans-serif font (DejaVu Sans
    /// metrics, rounded up): used to lay out labels and legends without measuring.
    public static func textWidth(_ text: String, fontSize: Double) -> Double {
        var em = 0.0
        for ch in text {
            if ch.isNumber && ch.isASCII {
                em += 0.64
            } else if ch == " " || ch == "." || ch == "," || ch == ":" || ch == ";" || ch == "'" || ch == "|" {
                em += 0.32
            } else if ch == "i" || ch == "l" || ch == "j" || ch == "t" || ch == "f" || ch == "r" || ch == "("
                || ch == ")"
            {
                em += 0.4
            } else if ch == "m" || ch == "w" || ch == "M" || ch == "W" || ch == "%" {
                em += 0.95
            } else if ch.isASCII && ch.isUppercase {
                em += 0.72
            } else if ch.isASCII {
                em += 0.62
            } else {
                em += 1.0
            }
        }
        return em * fontSize
    }
}
