import BudgetCore
import Foundation
import BudgetQuery
import BudgetStore

/// The data behind a report's charts, worked out by whoever runs the report.
public struct ReportCharts: Sendable {
    /// One project's bar: its 执行率 and its target.
    public struct ExecutionBar: Sendable {
        public var label: String
        public var rate: Double
        public var target: Double?
        public init(label: String, rate: Double, target: Double?) {
            self.label = label
            self.rate = rate
            self.target = target
        }
    }

    /// One month's payments, exact.
    public struct MonthTotal: Sendable {
        public var month: String
        public var fen: Int64
        public init(month: String, fen: Int64) {
            self.month = month
            self.fen = fen
        }
    }

    public var executionTitle: String
    public var execution: [ExecutionBar]
    /// 时间进度: the share of the year gone by the end of the report's month (m / 12).
    public var yearShare: Double?
    public var monthlyTitle: String
    public var monthly: [MonthTotal]
    /// The queries the charts were drawn from, shown under them.
    public var executionQuery: String
    public var monthlyQuery: String

    public init(executionTitle: String = "", execution: [ExecutionBar] = [], yearShare: Double? = nil,
                monthlyTitle: String = "", monthly: [MonthTotal] = [], executionQuery: String = "", monthlyQuery: String = "") {
        self.executionTitle = executionTitle
        self.execution = execution
        self.yearShare = yearShare
        self.monthlyTitle = monthlyTitle
        self.monthly = monthly
        self.executionQuery = executionQuery
        self.monthlyQuery = monthlyQuery
    }
}

/// A self-contained HTML page (no script, no network, fonts from the system): the titled
/// results as tables, SVG charts, the sources and what is synthetic. Numeric cells carry their
/// exact value in `data-value`, so a program can check the page against the query.
public struct HTMLReport {
    public var renderer: ResultRenderer

    public init(renderer: ResultRenderer) { self.renderer = renderer }

    public func page(_ results: [TitledResult], context: ReportContext, charts: ReportCharts? = nil) -> String {
        let zh = renderer.language == .zh
        var out = """
        <!DOCTYPE html>
        <html lang="\(zh ? "zh-CN" : "en")">
        <head>
        <meta charset="utf-8">
        <meta name="generator" content="budgetq">
        <title>\(Self.escape(context.title))</title>
        <style>
        body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif; margin: 2em auto; max-width: 1100px; color: #1f2328; padding: 0 1em; }
        h1 { font-size: 1.6em; border-bottom: 2px solid #1f6feb; padding-bottom: .3em; }
        h2 { font-size: 1.2em; margin-top: 2em; }
        table { border-collapse: collapse; margin: .5em 0; font-size: .92em; }
        th, td { border: 1px solid #d0d7de; padding: .3em .6em; }
        th { background: #ddebf7; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.total td { font-weight: bold; background: #f6f8fa; }
        .notice { border-left: 4px solid #d29922; background: #fff8c5; padding: .6em 1em; margin: 1em 0; }
        .warning { border-left: 4px solid #cf222e; background: #ffebe9; padding: .6em 1em; margin: 1em 0; }
        .meta { color: #57606a; }
        .note { color: #57606a; font-size: .9em; }
        figure { margin: 1.5em 0; }
        figcaption { color: #57606a; font-size: .85em; }
        code { background: #f6f8fa; padding: .1em .3em; }
        </style>
        </head>
        <body>
        <h1>\(Self.escape(context.title))</h1>

        """
        var meta: [String] = []
        if !context.parameters.isEmpty {
            meta.append((zh ? "参数：" : "Parameters: ") + context.parameters.map { "\($0.0) = \($0.1)" }.joined(separator: ", "))
        }
        meta.append((zh ? "数据：" : "Data: ") + context.dataSummary)
        out += "<p class=\"meta\">" + meta.map(Self.escape).joined(separator: "<br>") + "</p>\n"
        if context.hasSynthetic {
            let synthetic = context.sources.filter { $0.origin == .synthetic }.count
            out += "<div class=\"notice\" id=\"synthetic-notice\"><strong>\(zh ? "合成数据提示" : "Synthetic data"):</strong> "
                + Self.escape(zh ? "本报告所用的 \(context.sources.count) 个文件中有 \(synthetic) 个是生成的演示数据（合成），不是公开发布的数据；各文件的性质见文末“来源”。"
                                 : "\(synthetic) of the \(context.sources.count) files behind this report are generated demo data (synthetic), not published data; see Sources at the end.")
                + "</div>\n"
        }
        for warning in context.warnings { out += "<div class=\"warning\">\(Self.escape(warning))</div>\n" }
        if let charts {
            if !charts.execution.isEmpty { out += executionChart(charts) }
            if !charts.monthly.isEmpty { out += monthlyChart(charts) }
        }
        for (i, item) in results.enumerated() {
            out += "<section class=\"result\" id=\"result-\(i + 1)\">\n<h2>\(Self.escape(item.title))</h2>\n"
            out += table(item.result)
            out += "</section>\n"
        }
        out += sources(context)
        out += "<p class=\"note\">\(zh ? "由" : "Written by") budgetq \(zh ? "生成" : "")</p>\n</body>\n</html>\n"
        return out
    }

    /// A result as a table; numeric cells right-aligned with their exact value in `data-value`.
    func table(_ result: QueryResult) -> String {
        let t = result.table
        let cells = renderer.reportCells(t)
        let exact = CellFormatter(forPeople: false)
        var out = "<table>\n<thead><tr>" + t.columns.map { "<th data-column=\"\(Self.escape($0.name))\">\(Self.escape(renderer.reportHeader($0)))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in 0..<t.rowCount {
            let isTotal = result.totalRow == row
            out += isTotal ? "<tr class=\"total\">" : "<tr>"
            for (i, column) in t.columns.enumerated() {
                if column.type.isNumeric {
                    let value = exact.text(column, row).map { " data-value=\"\(Self.escape($0))\"" } ?? ""
                    out += "<td class=\"num\"\(value)>\(Self.escape(cells[row][i]))</td>"
                } else {
                    out += "<td>\(Self.escape(cells[row][i]))</td>"
                }
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        let zh = renderer.language == .zh
        out += "<p class=\"note\">\(zh ? "共 \(t.rowCount) 行" : "\(t.rowCount) row\(t.rowCount == 1 ? "" : "s")")</p>\n"
        for note in result.notes { out += "<p class=\"note\">\(zh ? "注" : "Note")：\(Self.escape(note))</p>\n" }
        return out
    }

    /// Horizontal bars of each project's 执行率, a tick at its target, and a dashed line at the
    /// share of the year gone (时间进度).
    func executionChart(_ charts: ReportCharts) -> String {
        let zh = renderer.language == .zh
        let bars = charts.execution
        let labelWidth = 300.0, plotWidth = 560.0, rowHeight = 28.0, top = 40.0
        let scaleMax = max(1.0, bars.map { max($0.rate, $0.target ?? 0) }.max() ?? 1)
        let height = top + Double(bars.count) * rowHeight + 40
        let width = labelWidth + plotWidth + 90
        func x(_ v: Double) -> Double { labelWidth + max(0, v) / scaleMax * plotWidth }
        var svg = "<svg id=\"execution-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Self.escape(charts.executionTitle))\">\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        // Grid at every 20%.
        var tick = 0.0
        while tick <= scaleMax + 1e-9 {
            svg += "<line x1=\"\(Self.f(x(tick)))\" y1=\"\(Self.f(top - 6))\" x2=\"\(Self.f(x(tick)))\" y2=\"\(Self.f(height - 34))\" stroke=\"#eaeef2\"/>"
            svg += "<text x=\"\(Self.f(x(tick)))\" y=\"\(Self.f(height - 18))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#57606a\">\(Int((tick * 100).rounded()))%</text>\n"
            tick += 0.2
        }
        for (i, bar) in bars.enumerated() {
            let y = top + Double(i) * rowHeight
            let reached = bar.target.map { bar.rate >= $0 } ?? (bar.rate >= 1)
            let label = bar.label.count > 22 ? String(bar.label.prefix(21)) + "…" : bar.label
            svg += "<g class=\"bar\" data-project=\"\(Self.escape(bar.label))\" data-rate=\"\(ValueText.real(bar.rate))\"\(bar.target.map { " data-target=\"\(ValueText.real($0))\"" } ?? "")>"
            svg += "<title>\(Self.escape(bar.label))：\(zh ? "执行率" : "rate") \(Self.percent(bar.rate))\(bar.target.map { "，\(zh ? "目标" : "target") \(Self.percent($0))" } ?? "")</title>"
            svg += "<text x=\"\(Self.f(labelWidth - 8))\" y=\"\(Self.f(y + 17))\" font-size=\"13\" text-anchor=\"end\" fill=\"#1f2328\">\(Self.escape(label))</text>"
            svg += "<rect x=\"\(Self.f(labelWidth))\" y=\"\(Self.f(y + 5))\" width=\"\(Self.f(x(bar.rate) - labelWidth))\" height=\"\(Self.f(rowHeight - 10))\" fill=\"\(reached ? "#2da44e" : "#1f6feb")\"/>"
            if let target = bar.target {
                svg += "<rect class=\"target\" x=\"\(Self.f(x(target) - 1.5))\" y=\"\(Self.f(y + 1))\" width=\"3\" height=\"\(Self.f(rowHeight - 2))\" fill=\"#1f2328\"/>"
            }
            svg += "<text x=\"\(Self.f(x(bar.rate) + 6))\" y=\"\(Self.f(y + 17))\" font-size=\"12\" fill=\"#1f2328\">\(Self.percent(bar.rate))</text>"
            svg += "</g>\n"
        }
        if let share = charts.yearShare {
            svg += "<g id=\"year-share\" data-share=\"\(ValueText.real(share))\"><line x1=\"\(Self.f(x(share)))\" y1=\"\(Self.f(top - 8))\" x2=\"\(Self.f(x(share)))\" y2=\"\(Self.f(height - 34))\" stroke=\"#cf222e\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
            svg += "<text x=\"\(Self.f(x(share)))\" y=\"\(Self.f(top - 14))\" font-size=\"12\" text-anchor=\"middle\" fill=\"#cf222e\">\(zh ? "时间进度" : "year gone") \(Self.percent(share))</text></g>\n"
        }
        svg += "</svg>\n"
        let legend = zh ? "柱：累计执行率（绿色为已达目标）；黑色竖线：目标执行率；红色虚线：时间进度（已过月份 ÷ 12）。"
                        : "Bars: execution rate to date (green: target reached); black tick: target; red dashed line: share of the year gone (months ÷ 12)."
        return "<figure>\n<h2>\(Self.escape(charts.executionTitle))</h2>\n" + svg
            + "<figcaption>\(Self.escape(legend)) \(zh ? "数据" : "From"): <code>\(Self.escape(charts.executionQuery))</code></figcaption>\n</figure>\n"
    }

    /// Vertical bars of the payments of each month of the year, in 万元.
    func monthlyChart(_ charts: ReportCharts) -> String {
        let zh = renderer.language == .zh
        let months = charts.monthly
        let left = 70.0, plotHeight = 220.0, top = 30.0, barSpace = 62.0
        let width = left + Double(months.count) * barSpace + 20
        let height = top + plotHeight + 50
        let maxFen = Double(months.map(\.fen).max() ?? 1)
        let scale = maxFen > 0 ? plotHeight / maxFen : 0
        var svg = "<svg id=\"monthly-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Self.escape(charts.monthlyTitle))\">\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        svg += "<line x1=\"\(Self.f(left))\" y1=\"\(Self.f(top + plotHeight))\" x2=\"\(Self.f(width - 10))\" y2=\"\(Self.f(top + plotHeight))\" stroke=\"#57606a\"/>\n"
        for (i, month) in months.enumerated() {
            let barHeight = Double(month.fen) * scale
            let x = left + Double(i) * barSpace + 8
            let tenThousand = Self.tenThousandYuan(month.fen)
            svg += "<g class=\"month\" data-month=\"\(Self.escape(month.month))\" data-paid=\"\(Money.yuanText(fen: month.fen))\">"
            svg += "<title>\(Self.escape(month.month))：\(Money.yuanText(fen: month.fen, groupThousands: true)) 元</title>"
            svg += "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(top + plotHeight - barHeight))\" width=\"\(Self.f(barSpace - 16))\" height=\"\(Self.f(barHeight))\" fill=\"#1f6feb\"/>"
            svg += "<text x=\"\(Self.f(x + (barSpace - 16) / 2))\" y=\"\(Self.f(top + plotHeight - barHeight - 4))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#1f2328\">\(tenThousand)</text>"
            svg += "<text x=\"\(Self.f(x + (barSpace - 16) / 2))\" y=\"\(Self.f(top + plotHeight + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#57606a\">\(Self.escape(month.month))</text>"
            svg += "</g>\n"
        }
        svg += "<text x=\"8\" y=\"\(Self.f(top - 10))\" font-size=\"11\" fill=\"#57606a\">\(zh ? "万元" : "10,000 yuan")</text>\n</svg>\n"
        return "<figure>\n<h2>\(Self.escape(charts.monthlyTitle))</h2>\n" + svg
            + "<figcaption>\(zh ? "数据" : "From"): <code>\(Self.escape(charts.monthlyQuery))</code></figcaption>\n</figure>\n"
    }

    /// Every source file and whether it is published or synthetic.
    func sources(_ context: ReportContext) -> String {
        let zh = renderer.language == .zh
        var out = "<section id=\"sources\">\n<h2>\(zh ? "来源" : "Sources")</h2>\n<table>\n<thead><tr><th>\(zh ? "文件" : "File")</th><th>\(zh ? "类型" : "Kind")</th><th>\(zh ? "性质" : "Origin")</th><th>\(zh ? "年度" : "Years")</th><th>\(zh ? "行数" : "Rows")</th></tr></thead>\n<tbody>\n"
        for source in context.sources {
            let origin = source.origin == .published ? (zh ? "公开发布（真实）" : "published (real)") : (zh ? "合成（生成）" : "synthetic (generated)")
            let kind = source.kind == .documents ? (zh ? "绩效目标表" : "documents") : (zh ? "支付台账" : "payments")
            out += "<tr data-origin=\"\(source.origin.rawValue)\"><td>\(Self.escape(source.path))</td><td>\(kind)</td><td>\(origin)</td><td>\(source.years.map(String.init).joined(separator: ","))</td><td class=\"num\">\(source.rows)</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    static func percent(_ v: Double) -> String { CellFormatter(forPeople: true).percentText(v, .ratio) }

    static func tenThousandYuan(_ fen: Int64) -> String {
        CellFormatter(forPeople: true, moneyUnit: .tenThousand).integerText(fen, type: .money)
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
