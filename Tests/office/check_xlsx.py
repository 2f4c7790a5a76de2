#!/usr/bin/env python3
"""Reads budgetq's xlsx of queries/monthly-summary.bq back with openpyxl, an independent reader,
and checks it against the CSV files budgetq writes for the same run: sheet names, header row,
every numeric cell equal to the CSV value, money and percent number formats, dates as dates,
the frozen header, Chinese status labels, and the 来源 sheet naming what is synthetic.

Run: python3 Tests/office/check_xlsx.py --binary .build/debug/budgetq
(installs openpyxl with pip when it is missing)."""
import argparse, csv, datetime, glob, os, subprocess, sys, tempfile

from office_tools import ensure_openpyxl



def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    ensure_openpyxl()
    import openpyxl

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    work = tempfile.mkdtemp(prefix="budgetq-xlsx-")
    run = [args.binary, "run", "queries/monthly-summary.bq", "--param", "month=2024-06", "--data", "datasets"]
    book_path = os.path.join(work, "memo.xlsx")
    subprocess.run(run + ["--out", book_path], cwd=root, check=True)
    subprocess.run(run + ["--format", "csv", "--out", os.path.join(work, "csv") + "/"], cwd=root, check=True)
    csv_files = sorted(glob.glob(os.path.join(work, "csv", "*.csv")))
    assert len(csv_files) == 4, csv_files

    book = openpyxl.load_workbook(book_path)
    titles = ["Disbursements in the month, by project",
              "Cumulative execution against each project's 预算执行率 target",
              "Projects behind or overdue on their 时效 deadlines",
              "Totals by project type"]
    expected_names = [t if len(t) <= 31 else t[:30] + "…" for t in titles] + ["来源"]
    assert book.sheetnames == expected_names, book.sheetnames
    status_labels = {"on_track": "正常", "behind": "滞后", "overdue": "逾期", "done": "已完成"}
    headers_zh = {"project": "项目名称", "budget": "预算金额", "rate": "执行率", "target": "目标执行率", "status": "状态",
                  "paid_to_date": "累计支付", "deadline": "期限", "type": "项目类型"}
    checked_numbers = checked_percent = checked_money = checked_dates = 0
    for name, path in zip(book.sheetnames, csv_files):
        sheet = book[name]
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        assert raw.startswith("\ufeff"), "a CSV file starts with a UTF-8 BOM"
        rows = list(csv.reader(raw[1:].splitlines()))
        header, body = rows[0], rows[1:]
        assert sheet.freeze_panes == "A2", (name, sheet.freeze_panes)
        xl_rows = list(sheet.iter_rows(values_only=False))
        assert len(xl_rows) == len(body) + 1, (name, len(xl_rows), len(body))
        for column, cell in zip(header, xl_rows[0]):
            if column in headers_zh:
                assert cell.value == headers_zh[column], (name, column, cell.value)
        for csv_row, xl_row in zip(body, xl_rows[1:]):
            for column, text, cell in zip(header, csv_row, xl_row):
                if text == "":
                    assert cell.value is None, (name, column, cell.value)
                    continue
                if column == "status":
                    assert cell.value == status_labels[text], (name, cell.value)
                elif column == "deadline":
                    assert isinstance(cell.value, datetime.datetime), (name, column, cell.value)
                    assert cell.value.date().isoformat() == text
                    assert cell.number_format == "yyyy-mm-dd"
                    checked_dates += 1
                elif column in ("project", "type", "deadline_text"):
                    assert cell.value == text, (name, column, cell.value, text)
                else:
                    assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), (name, column, cell.value)
                    assert cell.value == float(text), (name, column, cell.value, text)
                    checked_numbers += 1
                    if column in ("rate", "target"):
                        assert cell.number_format == "0.00%", (name, column, cell.number_format)
                        checked_percent += 1
                    elif column in ("budget", "paid", "paid_to_date", "paid_in_month"):
                        assert cell.number_format == "#,##0.00", (name, column, cell.number_format)
                        checked_money += 1
    sources = [[c for c in row] for row in book["来源"].iter_rows(values_only=True)]
    flat = [str(c) for row in sources for c in row if c is not None]
    assert any("合成" in c for c in flat) and any("公开发布" in c for c in flat), flat
    assert any("2024-dongguan-economic-cooperation-office.txt" in c for c in flat), flat
    real_rows = [row for row in sources if row and row[0] and str(row[0]).endswith("2024-dongguan-economic-cooperation-office.txt")]
    assert real_rows and "公开发布" in real_rows[0][2], real_rows
    assert checked_percent >= 20 and checked_money >= 30 and checked_dates >= 1, (checked_percent, checked_money, checked_dates)
    print(f"xlsx: {len(book.sheetnames)} sheets, {checked_numbers} numeric cells equal to the CSV "
          f"({checked_percent} percent, {checked_money} money), {checked_dates} dates; ok")


if __name__ == "__main__":
    main()
