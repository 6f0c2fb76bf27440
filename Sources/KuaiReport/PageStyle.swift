import KuaiChart

/// The page's inline stylesheet: one column up to 820 px, tables with tabular digits, print rules
/// (A4, no navigation or SQL blocks, a chart never split across pages).
enum PageStyle {
    static let css = """
        :root { color-scheme: light; }
        body { font-family: \(ChartStyle.fontFamily); color: #222; background: #fff; margin: 0 auto;
          max-width: 820px; padding: 16px 20px 40px; font-size: 14px; line-height: 1.45; }
        h1 { font-size: 24px; margin: 8px 0 4px; }
        h2 { font-size: 18px; margin: 0 0 2px; }
        code, pre { font-family: DejaVu Sans Mono, Liberation Mono, monospace; font-size: 12px; }
        .meta { color: #555; font-size: 12px; margin: 0 0 8px; }
        nav ol { padding-left: 22px; margin: 12px 0; }
        nav li { margin: 1px 0; }
        a { color: #0060A0; }
        .badge { font-size: 11px; border: 1px solid #999; border-radius: 3px; padding: 0 4px; color: #444; }
        .badge.failed { border-color: #B04000; color: #B04000; }
        .badge.missing { border-color: #A06800; color: #805300; }
        section.chart { border-top: 1px solid #CCC; padding-top: 14px; margin-top: 26px; }
        figure { margin: 8px 0; }
        svg { display: block; max-width: 100%; height: auto; }
        .notes { font-size: 13px; color: #333; margin: 6px 0; }
        .chart-note { color: #805300; }
        div.problem, div.missing, div.empty { padding: 6px 12px; margin: 8px 0; border-left: 5px solid; }
        div.problem { border-color: #D55E00; background: #FFF3EB; }
        div.missing { border-color: #E69F00; background: #FFF9E8; }
        div.empty { border-color: #999; background: #F5F5F5; }
        div.problem pre { white-space: pre-wrap; margin: 4px 0; }
        .scroll { overflow-x: auto; }
        table.data { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; margin: 8px 0; }
        table.data caption { text-align: left; font-size: 12px; color: #555; padding-bottom: 2px; }
        table.data th, table.data td { border: 1px solid #DDD; padding: 2px 6px; }
        table.data th { background: #F4F4F4; font-weight: 600; text-align: left; }
        table.data td.n { text-align: right; white-space: nowrap; }
        table.data td.null { color: #999; }
        table.data .type { display: block; font-weight: normal; color: #777; font-size: 10px; }
        table.pivot td, table.pivot th { padding: 1px 4px; }
        details { margin: 6px 0; }
        details summary { cursor: pointer; color: #0060A0; font-size: 13px; }
        details pre { background: #F7F7F7; border: 1px solid #E4E4E4; padding: 8px; overflow-x: auto; }
        footer { margin-top: 32px; color: #666; font-size: 12px; border-top: 1px solid #CCC; }
        @page { size: A4; margin: 12mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 12px; }
          nav, details { display: none; }
          section.chart { break-inside: avoid; page-break-inside: avoid; }
          .scroll { overflow: visible; }
          a { color: inherit; text-decoration: none; }
        }

        """
}
