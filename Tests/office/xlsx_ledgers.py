#!/usr/bin/env python3
"""Excel ledgers as finance systems export them (issues 15 item 4, 16 item 2): the bundled payment
and actuals ledgers are rewritten with openpyxl as workbooks — a title row, Chinese headers in
another order, an extra 凭证号 column, real date cells, amounts with a #,##0.00 format, rows split
over two sheets, a 合计 row — and budgetq must load them equal to the CSV files. A broken copy must
give errors naming sheet and cell; the data cache must keep those errors when it reopens.

Run: python3 Tests/office/xlsx_ledgers.py --binary .build/debug/budgetq
(installs openpyxl with pip when it is missing)."""
import argparse, csv, datetime, os, shutil, subprocess, sys, tempfile

from office_tools import ensure_openpyxl



def read_csv(path):
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.reader(lines))


def payments_workbook(rows, path, broken=False):
    import openpyxl
    book = openpyxl.Workbook()
    first = book.active
    first.title = "上半年"
    second = book.create_sheet("下半年")
    header = ["支付金额", "摘要", "项目名称", "凭证号", "支付日期", "预算单位"]
    halves = {first: [], second: []}
    for r in rows[1:]:
        date = datetime.date.fromisoformat(r[0])
        halves[first if date.month <= 6 else second].append(r)
    for sheet, body in halves.items():
        sheet.append(["东莞市经济合作办公室 支付明细 (合成数据, synthetic)"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        sheet.append(header)
        total = 0
        for i, r in enumerate(body):
            fen = round(float(r[3]) * 100)
            total += fen
            sheet.append([fen / 100, r[4], r[2], f"记-{i + 1:04d}", datetime.datetime.fromisoformat(r[0]), r[1]])
            sheet.cell(row=sheet.max_row, column=1).number_format = "#,##0.00"
            sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
        sheet.append([total / 100 + (1 if broken and sheet is first else 0), None, "合计"])
        sheet.cell(row=sheet.max_row, column=1).number_format = "#,##0.00"
    if broken:
        first["A4"] = "12,34"           # not three-digit grouping
        first["E5"] = 45352              # a serial date in a General cell
        first["E5"].number_format = "General"
        first["C6"] = "对口帮扶工作专项业务费"  # no such project
    book.save(path)


def actuals_workbook(rows, path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "完成值"
    sheet.append(["合成数据 (synthetic): 2023年1-7月 完成值"])
    sheet.append(["实施单位", "项目名称", "指标名称", "完成值", "填报日期", "说明"])
    for r in rows[1:]:
        sheet.append([r[1], r[2], r[3], r[4], datetime.datetime.fromisoformat(r[0]), r[5]])
        sheet.cell(row=sheet.max_row, column=5).number_format = 'yyyy"年"m"月"d"日"'
    book.save(path)


def run(binary, args, cache):
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    return subprocess.run([binary] + args, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    ensure_openpyxl()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    datasets = os.path.join(root, "datasets")
    work = tempfile.mkdtemp(prefix="budgetq-xlsx-ledgers-")
    cache = os.path.join(work, "cache")
    try:
        excel = os.path.join(work, "excel")
        shutil.copytree(datasets, excel)
        os.remove(os.path.join(excel, "payments-2024.csv"))
        os.remove(os.path.join(excel, "actuals-2023.csv"))
        payments = read_csv(os.path.join(datasets, "payments-2024.csv"))
        actuals = read_csv(os.path.join(datasets, "actuals-2023.csv"))
        payments_workbook(payments, os.path.join(excel, "payments-2024.xlsx"))
        actuals_workbook(actuals, os.path.join(excel, "actuals-2023.xlsx"))

        queries = {
            "payments": "payments | sort by date, project, amount | select date, department, project, amount, note",
            "actuals": "actuals | sort by project, indicator | select year, project, indicator, actual, note",
            "monitoring": "monitoring_indicators | where isnotnull(actual) | sort by project, indicator, month | select month, project, indicator, actual, progress, lags",
        }
        for name, query in queries.items():
            want = run(args.binary, ["--no-cache", "--data", datasets, "--format", "csv", "-c", query], cache)
            got = run(args.binary, ["--no-cache", "--data", excel, "--format", "csv", "-c", query], cache)
            assert want.returncode == 0, (name, want.stderr)
            assert got.returncode == 0, (name, got.stderr)
            assert got.stdout == want.stdout, (name, got.stdout[:2000], want.stdout[:2000])
            assert got.stdout.count("\n") > 10, (name, got.stdout)
        print(f"xlsx ledgers: {len(payments) - 1} payments over 2 sheets and {len(actuals) - 1} actuals load equal to the CSV files", flush=True)

        check = run(args.binary, ["check", excel], cache)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "payments-2024.xlsx:上半年!D2: warning: column `凭证号` not read" in check.stdout, check.stdout
        assert "error" not in check.stdout.split("errors:")[0], check.stdout
        sources = run(args.binary, ["--no-cache", "--data", excel, "-c", ".sources"], cache)
        lines = [line.split() for line in sources.stdout.splitlines() if ".xlsx" in line]
        kinds = sorted((line[0], line[1], os.path.basename(line[-1])) for line in lines)
        assert kinds == [("synthetic", "actuals", "actuals-2023.xlsx"), ("synthetic", "payments", "payments-2024.xlsx")], sources.stdout + sources.stderr

        broken = os.path.join(work, "broken")
        shutil.copytree(excel, broken)
        payments_workbook(payments, os.path.join(broken, "payments-2024.xlsx"), broken=True)
        check = run(args.binary, ["check", broken], cache)
        assert check.returncode != 0, check.stdout
        expected = [
            "payments-2024.xlsx:上半年!A4: error: amount `12,34` is not a number",
            "payments-2024.xlsx:上半年!E5: error: bad date `45352`",
            "an Excel serial number for 2024-03-01",
            "payments-2024.xlsx:上半年!C6: error: unknown project `对口帮扶工作专项业务费`; close names: 对口帮扶工作及专项业务费",
            "warning: the 合计 row says",
        ]
        for text in expected:
            assert text in check.stdout, (text, check.stdout)
        # Through the cache: the second run reopens it and still reports the workbook's errors.
        first = run(args.binary, ["--data", broken, "-c", "payments | count"], cache)
        again = run(args.binary, ["--data", broken, "-c", "payments | count"], cache)
        assert first.stdout == again.stdout, (first.stdout, again.stdout)
        assert again.returncode != 0 and "上半年!A4" in again.stderr, again.stderr
        print("broken workbook: errors name sheet and cell, also when reopened from the cache; ok")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
