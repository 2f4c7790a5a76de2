#!/usr/bin/env python3
"""Renders budgetq's HTML memo of queries/monthly-summary.bq in real headless Chromium and
checks it as a reader would: the page renders, its screenshot is not blank, and the numbers in
the DOM (tables, chart bars, the monthly chart) equal the query's own JSON output.

Run: python3 Tests/office/check_html.py --binary .build/debug/budgetq [--screenshot OUT.png]
Installs Debian's chromium and fonts-noto-cjk with apt-get when missing; exits 77 (skip) with
the reason only when that is impossible (not root, no apt-get)."""
import argparse, decimal, html.parser, json, os, shutil, struct, subprocess, sys, tempfile, zlib

SKIP = 77


def ensure_chromium():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    fonts = os.path.isdir("/usr/share/fonts/opentype/noto") or os.path.isdir("/usr/share/fonts/truetype/noto")
    if browser and fonts:
        return browser
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("skip: chromium or fonts-noto-cjk is missing and cannot be installed here (needs root and apt-get)")
        sys.exit(SKIP)
    print("installing chromium and fonts-noto-cjk with apt-get", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "fonts-noto-cjk"]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, stdout=subprocess.DEVNULL, check=True)
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(browser, *args):
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--user-data-dir=" + tempfile.mkdtemp(prefix="budgetq-chromium-")]
    return subprocess.run(base + list(args), capture_output=True, timeout=180)


class Page(html.parser.HTMLParser):
    """Collects the result tables (data-value and text of each cell), chart bars and months."""

    def __init__(self):
        super().__init__()
        self.tables, self.bars, self.months, self.share = [], [], [], None
        self.cell, self.text, self.notice, self.headers = None, [], False, []
        self.in_result = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "result":
            self.in_result = True
            self.tables.append([])
        if tag == "tr" and self.in_result and self.tables:
            self.tables[-1].append([])
        if tag in ("td", "th") and self.in_result:
            self.cell = {"value": a.get("data-value"), "tag": tag, "column": a.get("data-column")}
            self.text = []
        if tag == "g" and a.get("class") == "bar":
            self.bars.append((a["data-project"], a["data-rate"], a.get("data-target")))
        if tag == "g" and a.get("class") == "month":
            self.months.append((a["data-month"], a["data-paid"]))
        if tag == "g" and a.get("id") == "year-share":
            self.share = a["data-share"]
        if a.get("id") == "synthetic-notice":
            self.notice = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.cell["text"] = "".join(self.text).strip()
            self.tables[-1][-1].append(self.cell)
            self.cell = None
        if tag == "section":
            self.in_result = False

    def handle_data(self, data):
        if self.cell is not None:
            self.text.append(data)


def png_pixels(path):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes): width, height, rows."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride): line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride): line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--screenshot", help="also keep the screenshot here")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    binary = os.path.abspath(args.binary)
    browser = ensure_chromium()
    work = tempfile.mkdtemp(prefix="budgetq-html-")
    run = [binary, "run", "queries/monthly-summary.bq", "--param", "month=2024-06", "--data", "datasets"]
    memo = os.path.join(work, "memo.html")
    with open(memo, "wb") as f:
        subprocess.run(run + ["--format", "html"], cwd=root, check=True, stdout=f)
    page_source = open(memo, encoding="utf-8").read()
    assert "http://" not in page_source.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page_source and "<script" not in page_source, \
        "the page is self-contained"
    expected = json.loads(subprocess.run(run + ["--format", "json"], cwd=root, check=True, capture_output=True).stdout)

    dom = chromium(browser, "--dump-dom", "file://" + memo)
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    page = Page()
    page.feed(dom.stdout.decode("utf-8"))
    assert page.notice, "the synthetic-data notice is on the page"
    assert len(page.tables) == len(expected), (len(page.tables), len(expected))
    checked = 0
    for table, result in zip(page.tables, expected):
        header, body = table[0], table[1:]
        assert [h["column"] for h in header] == result["columns"], ([h["column"] for h in header], result["columns"])
        assert len(body) == len(result["rows"]), result["title"]
        for cells, row in zip(body, result["rows"]):
            for column, cell, value in zip(result["columns"], cells, row):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    assert cell["value"] is not None and decimal.Decimal(cell["value"]) == decimal.Decimal(repr(value)) or float(cell["value"]) == value, \
                        (result["title"], column, cell, value)
                    if column in ("rate", "target"):
                        shown = decimal.Decimal(repr(value * 100)).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
                        assert cell["text"] == "%s%%" % shown, (column, cell["text"], shown)
                    checked += 1
                elif value is None:
                    assert cell["text"] == "—", (column, cell)
    headers = [h["text"] for h in page.tables[1][0]]
    assert headers == ["项目名称", "预算金额", "累计支付", "执行率", "目标执行率", "状态"], headers
    statuses = {c["text"] for row in page.tables[1][1:] for c in row[-1:]}
    assert statuses <= {"正常", "滞后", "逾期", "已完成"} and "正常" in statuses, statuses
    # The 执行率 chart: one bar per project of the execution section, the query's numbers.
    section = expected[1]
    ci = {c: i for i, c in enumerate(section["columns"])}
    want = [(r[ci["project"]], r[ci["rate"]], r[ci["target"]]) for r in section["rows"]]
    assert len(page.bars) == len(want), (len(page.bars), len(want))
    for (project, rate, target), (p2, r2, t2) in zip(page.bars, want):
        assert project == p2 and float(rate) == r2 and (target is None) == (t2 is None) and (t2 is None or float(target) == t2), (project, rate, target, p2, r2, t2)
    assert page.share is not None and float(page.share) == 0.5, page.share
    # The monthly chart: the ledger's own sums for January to June 2024.
    months = json.loads(subprocess.run([binary, "-c", "payments | where year == 2024 and month <= 2024-06 | summarize paid = sum(amount) by month | sort by month",
                                        "--data", "datasets", "--format", "json"], cwd=root, check=True, capture_output=True).stdout)
    ledger = {m["month"]: m["paid"] for m in months}
    assert [m for m, _ in page.months] == ["2024-%02d" % m for m in range(1, 7)], page.months
    for month, paid in page.months:
        assert decimal.Decimal(paid) == decimal.Decimal(repr(ledger.get(month, 0.0))), (month, paid, ledger.get(month))

    shot = os.path.join(work, "memo.png")
    result = chromium(browser, "--screenshot=" + shot, "--window-size=1200,2400", "file://" + memo)
    assert result.returncode == 0 and os.path.exists(shot), result.stderr.decode(errors="replace")[-2000:]
    width, height, bpp, rows = png_pixels(shot)
    colors, inked = set(), 0
    for y in range(0, height, 4):
        line = rows[y]
        for x in range(0, width * bpp, bpp * 4):
            pixel = line[x:x + 3]
            colors.add(pixel)
            if pixel != b"\xff\xff\xff":
                inked += 1
    samples = (height // 4) * (width // 4)
    assert len(colors) > 20 and inked > samples * 0.02, ("blank screenshot?", len(colors), inked, samples)
    if args.screenshot:
        shutil.copyfile(shot, args.screenshot)
    print(f"html: {len(page.tables)} tables, {checked} numbers equal to the query's, {len(page.bars)} bars, {len(page.months)} months; "
          f"screenshot {width}x{height}, {len(colors)} colours, {100 * inked / samples:.1f}% inked; ok")


if __name__ == "__main__":
    main()
