#!/usr/bin/env python3
"""Differential tester for budgetq.

Generates random budgetq queries together with an equivalent SQLite query over the same
data (the tables `budgetq export` writes), runs both, and requires identical results.

Usage (from the repository root):

    python3 Tests/differential/differential.py [--count 1000] [--seed N] [--verbose]
                                               [--binary .build/debug/budgetq] [--data datasets]

Exit status 0 when every query agrees, 1 when any mismatch was found, 2 on setup errors.
The fixed regression queries (shapes that exposed budgetq bugs) run first on every run.
Queries run 200 to a budgetq process, as statements on stdin separated by marker statements.
Standard library only. See README.md next to this file.
"""

import argparse
import concurrent.futures
import csv
import io
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

# ---------------------------------------------------------------------------------------------
# Column kinds
#
#   int    integer                        SQL: INTEGER
#   money  yuan, 2 decimals               SQL: INTEGER fen (x100)
#   dec    exact decimal, 4 decimals max  SQL: INTEGER x10000
#   real   floating point                 SQL: REAL (natural units)
#   bool   true/false                     SQL: 0/1
#   str    string                         SQL: TEXT
#   date   YYYY-MM-DD                     SQL: TEXT
#   month  YYYY-MM                        SQL: TEXT
#   list   ;-joined list (regions)        SQL: TEXT, '' when empty; elements in project_regions
# ---------------------------------------------------------------------------------------------

SCALE = {'int': 0, 'bool': 0, 'money': 2, 'dec': 4}
EXACT_NUM = ('int', 'money', 'dec')
NUM = ('int', 'money', 'dec', 'real')

TABLE_KINDS = {
    'projects': dict(id='int', year='int', name='str', type='str', level='str', department='str', unit='str',
                     start_year='int', end_year='int', budget='money', goal_period='str', goal_year='str',
                     regions='list', doc_kind='str', amount_unit='str', department_code='str', unit_code='str',
                     budget_total='money', budget_initial='money', budget_adjusted='money', spent='money',
                     spent_rate='dec', funds_fiscal='money', funds_other='money', goal_result='str',
                     spent_weight='dec', spent_score='dec', total_weight='dec', total_score='dec', grade='str', actuals_month='int', extra='list',
                     partial='int', source='str', line='int', position='str', origin='str',
                     execution_target='real', execution_deadline='date'),
    'indicators': dict(project_id='int', year='int', project='str', level1='str', level2='str', name='str',
                       period_target='str', annual_target='str', cmp='str', value='dec', unit='str',
                       deadline='date', kind='str', level1_raw='str', level2_raw='str', short_name='str',
                       direction='str', weight='dec', actual='str', actual_value='dec', score='dec', standard='str',
                       note='str', explanation='str', extra='list', line='int', position='str'),
    'coverage': dict(project_id='int', year='int', project='str', level1='str', level2='str', indicators='int'),
}
# Long free-text columns: used in `has` filters, rarely selected, never grouped.
LONG_COLUMNS = {'goal_period', 'goal_year', 'period_target', 'annual_target', 'source', 'department', 'goal_result',
                'extra', 'note', 'explanation', 'standard', 'actual', 'position'}

ABSENT_STRINGS = ['不存在的值', 'ZZZ', '其他', '产出']
ABSENT_REGIONS = ['广州', 'X', '贵州']
# Gazetteer aliases: budgetq's `regions has "铜仁市"` tests for the region they name (regions.tsv).
REGION_ALIASES = {'巫山县': '巫山', '铜仁市': '铜仁', '莞铜': '铜仁', '韶关市': '韶关'}


def qi(name):
    """A quoted SQL identifier. SQLite reads "true" and "false" as the booleans even when a subquery
    has a column of that name (a pivot of a true/false column makes one), so those are renamed."""
    if name.lower() in ('true', 'false'):
        name = '_bq_' + name
    return '"' + name.replace('"', '""') + '"'


# Words that are not taken as column names when bare.
BQ_KEYWORDS = {'and', 'or', 'not', 'in', 'has', 'contains', 'startswith', 'endswith', 'by', 'asc', 'desc', 'as', 'of',
               'vs', 'on', 'true', 'false', 'null'}


def bqname(name):
    """A column name as budgetq text: bare when it is a plain ASCII identifier, else `quoted`."""
    if re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', name) and name.lower() not in BQ_KEYWORDS:
        return name
    assert '`' not in name and '\n' not in name, name
    return '`' + name + '`'


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def bq_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def fmt_decimal(d):
    """Minimal plain text of a Decimal: 5000000, 4.2, 0.0005."""
    d = Decimal(d)
    if d == d.to_integral_value():
        return str(int(d))
    text = format(d.normalize(), 'f')
    return text


def fmt_scaled(raw, scale, min_frac):
    neg = raw < 0
    mag = abs(raw)
    whole, frac = divmod(mag, 10 ** scale)
    frac_text = str(frac).rjust(scale, '0') if scale else ''
    while len(frac_text) > min_frac and frac_text.endswith('0'):
        frac_text = frac_text[:-1]
    text = str(whole) + ('.' + frac_text if frac_text else '')
    return ('-' if neg else '') + text


# ---------------------------------------------------------------------------------------------
# budgetq and the SQLite mirror
# ---------------------------------------------------------------------------------------------

class Budgetq:
    """Runs the binary in `cwd` with `--data data` (a snapshot of the data folder)."""

    def __init__(self, binary, data, cwd=None):
        self.binary = binary
        self.data = data
        self.cwd = cwd
        self.token = 'zzdiffmark%06d' % random.SystemRandom().randrange(10 ** 6)

    def run(self, args, timeout=60, stdin=None):
        for attempt in range(20):
            if os.path.exists(self.binary):
                break
            time.sleep(0.5)  # the binary may be briefly missing while it is rebuilt
        for attempt in range(30):
            try:
                p = subprocess.run([self.binary] + args, capture_output=True, timeout=timeout, cwd=self.cwd,
                                   input=stdin)
                return p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired as e:
                return 124, e.stdout or b'', b'timeout'
            except OSError:
                # Missing or "text file busy" while another process relinks it: wait and retry.
                if attempt == 29:
                    raise
                time.sleep(1)

    def query(self, text):
        return self.run(['--data', self.data, '-c', text, '--format', 'csv'])

    def marker(self, label):
        return 'projects | take 0 | select %s_%s = 1' % (self.token, label)

    def batch(self, texts):
        """Runs the queries as statements on one stdin, each after a marker statement whose CSV output is
        the single header line `TOKEN_i`. Returns one stdout per query, or None for a query that failed
        (the caller reruns it alone to see its error). When the process dies or hangs on a statement,
        that one is left to run alone and the statements after it go to a new process."""
        results = [None] * len(texts)
        start = 0
        while start < len(texts):
            outs, reached = self._batch_once(texts[start:])
            results[start:start + len(outs)] = outs
            start += reached + 1   # the statement it died on (if any) runs alone
        return results

    def _batch_once(self, texts):
        lines = []
        for i, t in enumerate(texts):
            lines += [self.marker(i), t]
        lines.append(self.marker('end'))
        _, out, _ = self.run(['--data', self.data, '--format', 'csv'], timeout=60 + len(texts),
                             stdin=('\n'.join(lines) + '\n').encode('utf-8'))
        pattern = re.compile(b'(?m)^' + self.token.encode() + b'_(\\d+|end)\r\n')
        marks = [(m.group(1), m.start(), m.end()) for m in pattern.finditer(out)]
        expected = [str(i).encode() for i in range(len(texts))] + [b'end']
        if [m[0] for m in marks] != expected[:len(marks)]:
            return [None] * len(texts), len(texts)   # garbled: run them all alone
        results = [None] * len(texts)
        for (label, _, end), (_, nxt, _) in zip(marks, marks[1:]):
            if end < nxt:   # an empty segment: an error, see its message alone
                results[int(label)] = out[end:nxt]
        # Statements 0 … reached-1 finished; statement `reached` (if any) is where the process stopped.
        return results, max(len(marks) - 1, 0)


def batchable(text):
    """Statements on stdin end at a newline (or `;`, `；`): such queries run alone with -c."""
    return not any(ch in text for ch in '\n\r;；#')


EDGE_CASES_FILE = 'zz-differential-edge-cases-synthetic.txt'


def write_edge_cases(folder):
    """Adds two synthetic tables to the data snapshot for NULL/empty cases the demo data lacks: a project
    without start/end year, regions or budget (0.00), with quotes and a comma in its name, a type of its
    own and blank or odd indicator targets; and a lone 2019 project in 万元."""
    t = '\t'

    def table(name, typ, level, start, end, year, amount, unit, goal, indicators):
        rows = ['项目绩效目标表', '',
                t.join(['项目名称', '', name, '', '', '']),
                t.join(['项目类型', '', typ, '', '', '']),
                t.join(['项目等级', '', level, '', '', '']),
                t.join(['主管部门', '', '差异测试部门', '', '', '']),
                t.join(['用款单位', '', '差异测试单位', '', '', '']),
                t.join(['实施周期', '', '起始年度', start, '到期年度', end]),
                t.join(['%s年预算金额（%s）' % (year, unit), '', amount, '', '', '']),
                t.join(['总体绩效目标', '', '实施周期总目标', '', '', '']),
                t.join(['', '', goal, '', '', '']),
                t.join(['', '', '%s年度目标' % year, '', '', '']),
                t.join(['', '', '测试用的当年目标', '', '', '']),
                t.join(['绩效指标', '一级指标', '二级指标', '三级指标', '实施周期指标值', '当年度指标值'])]
        rows += [t.join([''] + list(r)) for r in indicators]
        return '\n'.join(rows) + '\n\n\n'
    text = '# synthetic: edge cases added by Tests/differential/differential.py (not published data)\n\n\n'
    text += table('差异测试，空区域"项目"', '差异测试类', '一级项目', '', '', '2024', '0.00', '元', '测试用的总目标', [
        ('产出指标', '数量指标', '测试数量', '', '≤5天'),
        ('', '', '测试空值', '', ''),
        ('', '质量指标', '测试比率', '99.5%', '99.5%'),
        ('', '时效指标', '测试时间', '2024年6月30日前', '2024年6月30日前'),
        ('效益指标', '社会效益指标', '', '', '')])
    text += table('差异测试旧项目', '其他事业发展性支出', '二级项目', '2019', '2019', '2019', '12.5', '万元',
                  '测试用的总目标（铜仁）', [
                      ('产出指标', '数量指标', '测试人数', '100人或以上', '100人或以上'),
                      ('满意度指标', '服务对象满意度指标', '满意度', '≥90%', '≥90%')])
    with open(os.path.join(folder, EDGE_CASES_FILE), 'w', encoding='utf-8') as f:
        f.write(text)


def parse_csv(data_bytes):
    text = data_bytes.decode('utf-8')
    return list(csv.reader(io.StringIO(text, newline='')))


def parse_cell(kind, s):
    if kind == 'list':
        return s
    if s == '':
        return None
    if kind == 'int':
        return int(s)
    if kind == 'real':
        return float(s)
    if kind == 'money':
        if '.' not in s or len(s.split('.')[1]) != 2:
            raise ValueError('money %r does not have exactly 2 decimals' % s)
        fen = Decimal(s) * 100
        if fen != fen.to_integral_value():
            raise ValueError('money %r is not whole fen' % s)
        return int(fen)
    if kind == 'dec':
        raw = Decimal(s) * 10000
        if raw != raw.to_integral_value():
            raise ValueError('decimal %r has more than 4 decimals' % s)
        if s != fmt_decimal(Decimal(s)):
            raise ValueError('decimal %r is not printed minimally' % s)
        return int(raw)
    return s


def json_cell(kind, v):
    if v is None:
        return None
    if kind == 'list':
        return ';'.join(v)
    if kind == 'real':
        return float(v)
    if kind in ('money', 'dec'):
        raw = Decimal(v) * 10 ** SCALE[kind]
        if raw != raw.to_integral_value():
            raise ValueError('%s %r has too many decimals' % (kind, v))
        return int(raw)
    return v


def load_database(bq, workdir):
    db = sqlite3.connect(':memory:')
    schemas = {}
    for table, kinds in TABLE_KINDS.items():
        out_path = os.path.join(workdir, table + '.csv')
        rc, out, err = bq.run(['export', table, '--format', 'csv', '--data', bq.data])
        if rc != 0:
            raise SystemExit('budgetq export %s failed (%d): %s' % (table, rc, err.decode('utf-8', 'replace')))
        with open(out_path, 'wb') as f:
            f.write(out)
        if b'\r\n' not in out:
            raise SystemExit('export %s: expected CRLF line ends' % table)
        with open(out_path, newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        cols = [(name, kinds.get(name, 'str')) for name in header]
        # CSV writes null and "" alike (blank 实施周期指标值 cells are "", a missing unit is null): take the
        # values from the JSON export and require the CSV export to agree with them.
        rc, out, err = bq.run(['export', table, '--format', 'json', '--data', bq.data])
        if rc != 0:
            raise SystemExit('budgetq export %s --format json failed (%d): %s' % (table, rc, err.decode('utf-8', 'replace')))
        objects = json.loads(out.decode('utf-8'), parse_float=Decimal)
        if len(objects) != len(body):
            raise SystemExit('export %s: %d CSV rows but %d JSON rows' % (table, len(body), len(objects)))
        sql_types = {'int': 'INTEGER', 'money': 'INTEGER', 'dec': 'INTEGER'}
        db.execute('CREATE TABLE %s (%s)' % (qi(table), ', '.join(
            '%s %s' % (qi(n), sql_types.get(k, 'TEXT')) for n, k in cols)))
        for r, o in zip(body, objects):
            if list(o.keys()) != header:
                raise SystemExit('export %s: JSON keys %s differ from the CSV header %s' % (table, list(o.keys()), header))
            values = []
            for (n, k), text in zip(cols, r):
                v = json_cell(k, o[n])
                from_csv = parse_cell(k, text)
                if (v if k != 'str' else (v or None)) != (from_csv if k != 'list' else text):
                    raise SystemExit('export %s: column %s is %r in CSV but %r in JSON' % (table, n, text, o[n]))
                values.append(v)
            db.execute('INSERT INTO %s VALUES (%s)' % (qi(table), ', '.join('?' * len(cols))), values)
        schemas[table] = cols
    # One row per (project, region); a project with no regions gets one row with a NULL region.
    db.execute('CREATE TABLE project_regions (project_id INTEGER, idx INTEGER, region TEXT)')
    for pid, regions in db.execute('SELECT id, regions FROM projects ORDER BY rowid').fetchall():
        parts = regions.split(';') if regions else [None]
        for i, r in enumerate(parts):
            db.execute('INSERT INTO project_regions VALUES (?, ?, ?)', (pid, i, r))
    db.commit()
    ids = [r[0] for r in db.execute('SELECT id FROM projects')]
    if len(ids) != len(set(ids)):
        raise SystemExit('projects.id is not unique; explode cannot be mirrored')
    return db, schemas


# ---------------------------------------------------------------------------------------------
# Expressions: the same expression as budgetq text and as SQL over scaled integers
# ---------------------------------------------------------------------------------------------

class E:
    # dname: the result-column name budgetq gives the expression when it is not named
    # (a bare column: its name; a call: `f_arg` or `f`); None means `column<position>`.
    __slots__ = ('bq', 'sql', 'kind', 'exact', 'atomic', 'dname')

    def __init__(self, bq, sql, kind, exact=True, atomic=True, dname=None):
        self.bq, self.sql, self.kind, self.exact, self.atomic, self.dname = bq, sql, kind, exact, atomic, dname


def is_column(e):
    return e.dname is not None and e.atomic and e.bq == bqname(e.dname)


def call_name(f, arg):
    """budgetq's default result name for f(arg, …): f_column for a bare column, else f."""
    return f + '_' + arg.dname if is_column(arg) else f


def paren(e):
    return e.bq if e.atomic else '(' + e.bq + ')'


def to_real(e):
    """The value as a double in natural units, computed exactly as budgetq does (raw / 10^scale)."""
    if e.kind == 'real':
        return e.sql
    return '(CAST(%s AS REAL) / %d.0)' % (e.sql, 10 ** SCALE[e.kind])


def rescaled(e, s):
    k = s - SCALE[e.kind]
    return e.sql if k == 0 else '(%s * %d)' % (e.sql, 10 ** k)


def kind_for_scale(s, a, b):
    if a == 'money' and b == 'money':
        return 'money'
    return {0: 'int', 2: 'money', 4: 'dec'}[s]


def arith(op, a, b):
    bq = '%s %s %s' % (paren(a), op, paren(b))
    exact = a.exact and b.exact
    if op == '/' or a.kind == 'real' or b.kind == 'real':
        assert op != '%'
        return E(bq, '(%s %s %s)' % (to_real(a), op, to_real(b)), 'real', exact, atomic=False)
    sa, sb = SCALE[a.kind], SCALE[b.kind]
    if op in '+-':
        s = max(sa, sb)
        return E(bq, '(%s %s %s)' % (rescaled(a, s), op, rescaled(b, s)), kind_for_scale(s, a.kind, b.kind), atomic=False)
    if op == '*':
        if sa == 0:
            return E(bq, '(%s * %s)' % (a.sql, b.sql), b.kind, atomic=False)
        if sb == 0:
            return E(bq, '(%s * %s)' % (a.sql, b.sql), a.kind, atomic=False)
        return E(bq, '(%s * %s)' % (to_real(a), to_real(b)), 'real', exact, atomic=False)
    if op == '%':
        assert sa == 0 and sb == 0
        return E(bq, '(%s %% %s)' % (a.sql, b.sql), 'int', atomic=False)
    raise ValueError(op)


def compare(op, a, b):
    sqlop = {'==': '=', '!=': '<>'}.get(op, op)
    if a.kind in NUM and b.kind in NUM:
        if a.kind == 'real' or b.kind == 'real':
            l, r = to_real(a), to_real(b)
        else:
            s = max(SCALE[a.kind], SCALE[b.kind])
            l, r = rescaled(a, s), rescaled(b, s)
    else:
        l, r = a.sql, b.sql
    return E('%s %s %s' % (paren(a), op, paren(b)), '(%s %s %s)' % (l, sqlop, r), 'bool', atomic=False)


def logic(op, a, b):
    def side(e):
        return '(' + e.bq + ')' if e.bq.startswith('not ') or ' and ' in e.bq or ' or ' in e.bq else e.bq
    return E('%s %s %s' % (side(a), op, side(b)), '(%s %s %s)' % (a.sql, op.upper(), b.sql), 'bool', atomic=False)


def in_list(rng, e, bq_items, sql_items, sql_e):
    """`e in (…)` / `e not in (…)`, sometimes with null among the items, with SQL's rule: null when e
    is null, true on a match, else null when the list holds a null, else false."""
    neg = rng.random() < 0.35
    bq_items = list(bq_items)
    sql_items = list(sql_items)
    if rng.random() < 0.15:
        bq_items.insert(rng.randint(0, len(bq_items)), 'null')
        sql_items.append('NULL')
    if rng.random() < 0.02:
        bq_items, sql_items = ['null'], ['NULL']
    sql = '(CASE WHEN %s IS NULL THEN NULL ELSE %s %s (%s) END)' % (
        sql_e, sql_e, 'NOT IN' if neg else 'IN', ', '.join(sql_items))
    return E('%s %s (%s)' % (paren(e), 'not in' if neg else 'in', ', '.join(bq_items)), sql, 'bool', atomic=False)


def null_compare(rng, e):
    """`isnull(x)`, `isnotnull(x)`: SQL's IS NULL and IS NOT NULL (budgetq refuses `x == null`, which
    SQL answers with null for every row)."""
    if rng.random() < 0.5:
        return E('isnull(%s)' % e.bq, '(%s IS NULL)' % e.sql, 'bool', atomic=True, dname=call_name('isnull', e))
    return E('isnotnull(%s)' % e.bq, '(%s IS NOT NULL)' % e.sql, 'bool', atomic=True, dname=call_name('isnotnull', e))


def negation(a):
    return E('not (%s)' % a.bq, '(NOT %s)' % a.sql, 'bool', atomic=False)


def lit_from_decimal(rng, value):
    value = Decimal(value)
    if value < 0:
        value = -value
    if value != value.to_integral_value():
        value = value.quantize(Decimal('0.0001'))
    if value > Decimal(10) ** 12:
        value = Decimal(10) ** 12
    text = fmt_decimal(value)
    if value == value.to_integral_value() and value >= 10000 and rng.random() < 0.1:
        digits = str(int(value))
        groups = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        text = '_'.join(groups)   # 1_000_000
    units = [('亿', 10 ** 8), ('千万', 10 ** 7), ('百万', 10 ** 6), ('万', 10 ** 4), ('千', 10 ** 3)]
    if value >= 1000 and rng.random() < 0.6:
        options = []
        for u, m in units:
            q = value / m
            if q >= Decimal('0.1') and (q * 10000) == (q * 10000).to_integral_value():
                options.append(fmt_decimal(q) + u)
        if options:
            # Prefer the common 万 and 亿.
            common = [o for o in options if o.endswith('万') and not o.endswith('千万') and not o.endswith('百万')
                      or o.endswith('亿')]
            text = rng.choice(common if common and rng.random() < 0.8 else options)
    if value == value.to_integral_value():
        return E(text, str(int(value)), 'int')
    return E(text, str(int(value * 10000)), 'dec')


def raw_to_decimal(raw, kind):
    if kind == 'real':
        return Decimal(repr(float(raw)))
    return Decimal(raw) / (10 ** SCALE[kind])


# ---------------------------------------------------------------------------------------------
# Pipeline state: the current columns, the SQL producing them (plus a hidden _rn order column)
# ---------------------------------------------------------------------------------------------

class Col:
    # orig: the source column this one carries unchanged (None when computed); pid: for a regions
    # list, the orig name of the integer column holding its project's id (to mirror explode).
    __slots__ = ('name', 'kind', 'exact', 'orig', 'pid')

    def __init__(self, name, kind, exact=True, orig=None, pid=None):
        self.name, self.kind, self.exact, self.orig, self.pid = name, kind, exact, orig, pid

    def expr(self):
        return E(bqname(self.name), qi(self.name), self.kind, self.exact, dname=self.name)

    def renamed(self, name):
        return Col(name, self.kind, self.exact, self.orig, self.pid)


class State:
    def __init__(self, table, cols, sql, total, ops):
        self.table = table
        self.cols = cols
        self.sql = sql
        self.total = total      # True when the row order is fully determined (compare in order)
        self.ops = ops          # budgetq operator texts so far
        self.ended = False      # count: nothing useful follows

    def names(self):
        return [c.name for c in self.cols]

    def get(self, name):
        for c in self.cols:
            if c.name == name:
                return c
        return None

    # Set by the Generator: turns deeply nested SQL into a view (SQLite's parser stack is limited).
    flatten = None

    def then(self, op_text, cols, sql, total):
        if State.flatten is not None:
            sql = State.flatten(sql)
        s = State(self.table, cols, sql, total, self.ops + [op_text])
        return s

    def query(self):
        return ' | '.join([self.table] + self.ops)

    def final_sql(self):
        # A pivot of nothing without keys has no columns at all.
        cols = ', '.join(qi(c.name) for c in self.cols) or '_rn'
        return 'SELECT %s FROM (%s) ORDER BY _rn' % (cols, self.sql)


NAME_POOL = ['x', 'y', 'z', 'w', 'total', 'n', 's', 'a', 'mn', 'mx', 'dc', 'cnt', 'share', 'diff', 'big',
             'size', 'avg_b', 'k', 'v2', 'ratio', 'amount', 'tag', 'flag', 'per', 'span']


def ends_query(op):
    """Operators leave an ended state (after count, or a pivot with no columns at all) as it is."""
    def wrapped(self, state, *args, **kwargs):
        if state.ended:
            return state
        return op(self, state, *args, **kwargs)
    wrapped.__name__ = op.__name__
    wrapped.__doc__ = op.__doc__
    return wrapped


class Generator:
    def __init__(self, db, schemas, rng):
        self.db = db
        self.schemas = schemas
        self.rng = rng
        self.cache = {}
        self.views = []
        self.view_counter = 0
        State.flatten = self.flatten

    def flatten(self, sql):
        """A deeply nested query becomes a temporary view (dropped after each generated query)."""
        # SQLite's parser overflows at about 15 nested subqueries: keep under 8 (and 14 parentheses).
        stack = []
        deepest = deepest_select = 0
        for m in re.finditer(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\((\s*SELECT\b)?|\)", sql):
            text = m.group(0)
            if text.startswith('('):
                stack.append(m.group(1) is not None)
                deepest = max(deepest, len(stack))
                deepest_select = max(deepest_select, sum(stack))
            elif text == ')':
                stack.pop()
        if deepest <= 14 and deepest_select <= 7:
            return sql
        self.view_counter += 1
        name = '_v%d' % self.view_counter
        self.db.execute('CREATE TEMP VIEW %s AS %s' % (name, sql))
        self.views.append((name, sql))
        return 'SELECT * FROM %s' % name

    def with_views(self, sql):
        """The query with the views it uses as a WITH clause: one statement to paste into sqlite3."""
        used = self.views   # those made for the current query, in order (each may use the earlier ones)
        if not used:
            return sql
        return 'WITH %s %s' % (', '.join('%s AS (%s)' % (n, v) for n, v in used), sql)

    def drop_views(self):
        for name, _ in reversed(self.views):
            self.db.execute('DROP VIEW %s' % name)
        self.views = []
        if len(self.cache) > 20000:
            self.cache.clear()

    # --- data access -------------------------------------------------------------------------

    def sql(self, text, params=()):
        return self.db.execute(text, params).fetchall()

    def values(self, state, e):
        key = (state.sql, e.sql)
        if key not in self.cache:
            rows = self.sql('SELECT DISTINCT %s FROM (%s) WHERE %s IS NOT NULL LIMIT 500' % (e.sql, state.sql, e.sql))
            self.cache[key] = [r[0] for r in rows]
        return self.cache[key]

    def row_count(self, state):
        return self.sql('SELECT COUNT(*) FROM (%s)' % state.sql)[0][0]

    def unique(self, state, exprs):
        if not exprs:
            return self.row_count(state) <= 1
        rows = self.sql('SELECT 1 FROM (%s) GROUP BY %s HAVING COUNT(*) > 1 LIMIT 1'
                        % (state.sql, ', '.join(e.sql for e in exprs)))
        return not rows

    def fresh_name(self, state, taken=()):
        used = set(state.names()) | set(taken)
        options = [n for n in NAME_POOL if n not in used]
        return self.rng.choice(options) if options else 'c%d' % self.rng.randrange(10 ** 6)

    # --- sources -----------------------------------------------------------------------------

    def source(self, table):
        cols = [Col(n, k, orig=n, pid='id' if n == 'regions' else None) for n, k in self.schemas[table]]
        sql = 'SELECT %s, rowid AS _rn FROM %s' % (', '.join(qi(c.name) for c in cols), qi(table))
        return State(table, cols, sql, False, [])

    # --- constants ---------------------------------------------------------------------------

    def num_constant(self, state, e):
        """A literal to compare e with: a value from the data, a neighbour, or something absent."""
        rng = self.rng
        vals = self.values(state, e)
        r = rng.random()
        if vals and r < 0.55:
            d = raw_to_decimal(rng.choice(vals), e.kind)
        elif vals and r < 0.8:
            d = raw_to_decimal(rng.choice(vals), e.kind)
            d = rng.choice([d + 1, d - 1, d * 2, d / 2, d + Decimal('0.5'), d * Decimal('1.5')])
        elif vals and r < 0.9 and len(vals) >= 2:
            a, b = rng.sample(vals, 2)
            d = (raw_to_decimal(a, e.kind) + raw_to_decimal(b, e.kind)) / 2
        else:
            d = Decimal(rng.choice([0, 1, 3, 50, 90, 100, 2024, 10000, 500000, 5000000, 100000000, 10 ** 11]))
        if e.kind == 'real' and not e.exact and vals:
            # Avoid the exact boundary of an inexactly computed value.
            d = d + Decimal('0.37')
        if d < 0:
            d = -d
        return lit_from_decimal(rng, d)

    def str_constant(self, state, e, absent=ABSENT_STRINGS):
        vals = self.values(state, e)
        if vals and self.rng.random() < 0.8:
            return self.rng.choice(vals)
        return self.rng.choice(absent)

    def substring(self, state, e):
        vals = [v for v in self.values(state, e) if v]
        if self.rng.random() < 0.06:
            return ''   # every string contains the empty string
        if not vals or self.rng.random() < 0.15:
            return self.rng.choice(['不存在', '资金', '率', '（', '2024', '帮扶', '满意度'])
        v = self.rng.choice(vals)
        n = self.rng.randint(1, min(4, len(v)))
        i = self.rng.randrange(0, len(v) - n + 1)
        return v[i:i + n]

    def date_constant(self, state, e):
        vals = self.values(state, e)
        if vals and self.rng.random() < 0.6:
            return self.rng.choice(vals)
        return self.rng.choice(['2024-01-01', '2024-03-31', '2024-04-01', '2024-06-30', '2024-07-01', '2024-12-31',
                                '2025-01-01', '2023-12-31'])

    # --- expressions -------------------------------------------------------------------------

    def cols_of(self, state, kinds, allow_long=False, exact_only=False):
        out = []
        for c in state.cols:
            if c.kind not in kinds:
                continue
            if not allow_long and c.name in LONG_COLUMNS:
                continue
            if exact_only and c.kind == 'real' and not c.exact:
                continue
            out.append(c)
        return out

    def numeric_expr(self, state, allow_real=True):
        """A numeric expression over the state's columns: a column or simple arithmetic."""
        rng = self.rng
        cols = self.cols_of(state, NUM if allow_real else EXACT_NUM)
        if not cols:
            return None
        c = rng.choice(cols).expr()
        r = rng.random()
        if r < 0.55:
            return c
        if r < 0.7:
            return self._mul_const(c)
        if r < 0.8:
            lit = lit_from_decimal(rng, Decimal(rng.choice([1, 10, 100, 2000, 10000, '0.5'])))
            return arith(rng.choice('+-'), c, lit)
        if r < 0.88 and allow_real:
            d = lit_from_decimal(rng, Decimal(rng.choice([10000, 2, 3, '0.5', 100, '0.1', 7])))
            return arith('/', c, d)
        if r < 0.94 and c.kind == 'int':
            m = rng.choice([2, 3, 7, 10])
            return arith('%', c, E(str(m), str(m), 'int'))
        others = [o for o in cols if o.name != c.bq and o.kind != 'real']
        if r < 0.96 or not others or c.kind == 'real':
            # Unary minus.
            return E('-' + paren(c), '(-%s)' % c.sql, c.kind, c.exact, atomic=False)
        o = rng.choice(others).expr()
        r2 = rng.random()
        if r2 < 0.4:
            return arith(rng.choice('+-*'), c, o)
        lit = lit_from_decimal(rng, Decimal(rng.choice([2, 3, 10, 100])))
        if r2 < 0.7:
            # Precedence: a + b * k means a + (b * k).
            e = arith('+', c, arith('*', o, lit))
            e.bq = '%s + %s * %s' % (c.bq, o.bq, lit.bq)
            return e
        # Left associativity: a - b - k means (a - b) - k.
        e = arith('-', arith('-', c, o), lit)
        e.bq = '%s - %s - %s' % (c.bq, o.bq, lit.bq)
        return e

    def _mul_const(self, c):
        m = self.rng.choice([2, 3, 10, 100])
        return arith('*', c, E(str(m), str(m), 'int'))

    def scalar_function(self, state):
        """len, coalesce, iff, abs, year/month of a date: budgetq text and SQL."""
        rng = self.rng
        choices = []
        strs = self.cols_of(state, ('str',))
        nums = self.cols_of(state, EXACT_NUM)
        dates = self.cols_of(state, ('date',))
        if strs:
            choices += ['len', 'coalesce_s', 'iff_s']
        if nums:
            choices += ['coalesce_n', 'iff_n', 'abs']
        if dates:
            choices += ['year', 'month']
        lists = [c for c in state.cols if c.kind == 'list']
        if lists:
            choices += ['len_list']
        if not choices:
            return None
        f = rng.choice(choices)
        if f == 'len_list':
            c = lists[0].expr()
            return E('len(%s)' % c.bq, "(CASE WHEN %s = '' THEN 0 ELSE length(%s) - length(replace(%s, ';', '')) + 1 END)"
                     % (c.sql, c.sql, c.sql), 'int', dname=call_name('len', c))
        if f == 'len':
            c = rng.choice(strs).expr()
            return E('len(%s)' % c.bq, 'length(%s)' % c.sql, 'int', dname=call_name('len', c))
        if f == 'coalesce_s':
            c = rng.choice(strs).expr()
            d = rng.choice(['无', '其他', '%'])
            return E('coalesce(%s, %s)' % (c.bq, bq_str(d)), 'coalesce(%s, %s)' % (c.sql, sql_str(d)), 'str',
                     dname=call_name('coalesce', c))
        if f == 'iff_s':
            cond = self.atom(state)
            a, b = rng.sample(['大', '小', 'yes', 'no', '中'], 2)
            return E('iff(%s, %s, %s)' % (cond.bq, bq_str(a), bq_str(b)),
                     '(CASE WHEN %s THEN %s ELSE %s END)' % (cond.sql, sql_str(a), sql_str(b)), 'str', dname='iff')
        if f == 'coalesce_n':
            c = rng.choice(nums).expr()
            lit = lit_from_decimal(rng, Decimal(rng.choice([0, 5, 100, '0.5', 10000])))
            s = max(SCALE[c.kind], SCALE[lit.kind])
            kind = kind_for_scale(s, c.kind, lit.kind)
            return E('coalesce(%s, %s)' % (c.bq, lit.bq), 'coalesce(%s, %s)' % (rescaled(c, s), rescaled(lit, s)), kind,
                     dname=call_name('coalesce', c))
        if f == 'iff_n':
            c = rng.choice(nums).expr()
            cond = self.atom(state)
            lit = lit_from_decimal(rng, Decimal(rng.choice([0, 1, 100, '2.5', 10000])))
            s = max(SCALE[c.kind], SCALE[lit.kind])
            kind = kind_for_scale(s, c.kind, lit.kind)
            if rng.random() < 0.5:
                return E('iff(%s, %s, %s)' % (cond.bq, c.bq, lit.bq),
                         '(CASE WHEN %s THEN %s ELSE %s END)' % (cond.sql, rescaled(c, s), rescaled(lit, s)), kind,
                         dname='iff')
            return E('iff(%s, %s, %s)' % (cond.bq, lit.bq, c.bq),
                     '(CASE WHEN %s THEN %s ELSE %s END)' % (cond.sql, rescaled(lit, s), rescaled(c, s)), kind,
                     dname='iff')
        if f == 'abs':
            c = self.numeric_expr(state, allow_real=False)
            if c.kind == 'real':
                return E('abs(%s)' % c.bq, 'abs(%s)' % c.sql, 'real', c.exact, dname=call_name('abs', c))
            return E('abs(%s)' % c.bq, 'abs(%s)' % c.sql, c.kind, dname=call_name('abs', c))
        c = rng.choice(dates).expr()
        if f == 'year':
            return E('year(%s)' % c.bq, 'CAST(substr(%s, 1, 4) AS INTEGER)' % c.sql, 'int', dname=call_name('year', c))
        return E('month(%s)' % c.bq, 'substr(%s, 1, 7)' % c.sql, 'month', dname=call_name('month', c))

    def value_expr(self, state):
        """Something to select or derive."""
        r = self.rng.random()
        if r < 0.55:
            e = self.numeric_expr(state)
            if e is not None:
                return e
        if r < 0.8:
            e = self.scalar_function(state)
            if e is not None:
                return e
        if r < 0.9:
            return self.atom(state)  # a true/false column
        return self.numeric_expr(state) or self.atom(state)

    # --- predicates --------------------------------------------------------------------------

    def atom(self, state):
        rng = self.rng
        kinds = {}
        for c in state.cols:
            if c.kind == 'real' and not c.exact:
                kinds.setdefault('real_inexact', []).append(c)
            else:
                kinds.setdefault(c.kind, []).append(c)
        weights = {'int': 3, 'money': 3, 'dec': 3, 'real': 1, 'real_inexact': 1, 'str': 5, 'date': 2, 'list': 2,
                   'bool': 1, 'month': 1}
        options = [k for k in kinds if k in weights]
        if not options:
            return E('true', '1', 'bool')
        k = rng.choices(options, [weights[o] for o in options])[0]
        c = rng.choice(kinds[k])
        e = c.expr()
        if k in ('int', 'money', 'dec', 'real', 'real_inexact'):
            r = rng.random()
            if r < 0.15 and k in ('int', 'money', 'dec'):
                e2 = self.numeric_expr(state, allow_real=(k != 'real_inexact'))
                if e2 is not None and e2.kind != 'real' or (e2 is not None and e2.exact):
                    e = e2
            if r > 0.85 and k in EXACT_NUM:
                lits = [self.num_constant(state, e) for _ in range(rng.randint(1, 3))]
                s = max([SCALE[e.kind]] + [SCALE[l.kind] for l in lits])
                return in_list(rng, e, [l.bq for l in lits], [rescaled(l, s) for l in lits], rescaled(e, s))
            if r < 0.04:
                return null_compare(rng, e)
            others = [o for o in self.cols_of(state, EXACT_NUM) if o.name != c.name]
            if 0.75 < r <= 0.85 and others and k in EXACT_NUM:
                return compare(rng.choice(['<', '<=', '>', '>=', '==', '!=']), e, rng.choice(others).expr())
            lit = self.num_constant(state, e)
            op = rng.choice(['==', '!=', '<', '<=', '>', '>='] if k != 'real_inexact' else ['<', '<=', '>', '>='])
            if rng.random() < 0.15:
                flipped = {'<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!='}[op]
                return compare(flipped, lit, e)
            return compare(op, e, lit)
        if k == 'str':
            r = rng.random()
            if r < 0.35:
                v = self.str_constant(state, e)
                return compare(rng.choice(['==', '==', '!=']), e, E(bq_str(v), sql_str(v), 'str'))
            if r < 0.45:
                v = self.str_constant(state, e)
                return compare(rng.choice(['<', '<=', '>', '>=']), e, E(bq_str(v), sql_str(v), 'str'))
            if r < 0.65:
                vs = [self.str_constant(state, e) for _ in range(rng.randint(1, 3))]
                return in_list(rng, e, [bq_str(v) for v in vs], [sql_str(v) for v in vs], e.sql)
            if r < 0.68:
                return null_compare(rng, e)
            if r < 0.9:
                long_cols = [x for x in self.cols_of(state, ('str',), allow_long=True) if x.name in LONG_COLUMNS]
                if long_cols and rng.random() < 0.25:
                    e = rng.choice(long_cols).expr()
                sub = self.substring(state, e)
                op = rng.choice(['has', 'has', 'contains', 'startswith', 'endswith'])
                if op in ('has', 'contains'):
                    sql = '(instr(%s, %s) > 0)' % (e.sql, sql_str(sub))
                elif op == 'startswith':
                    sql = '(substr(%s, 1, %d) = %s)' % (e.sql, len(sub), sql_str(sub))
                else:
                    sql = '(substr(%s, length(%s) - %d + 1) = %s)' % (e.sql, e.sql, len(sub), sql_str(sub))
                return E('%s %s %s' % (e.bq, op, bq_str(sub)), sql, 'bool', atomic=False)
            if r < 0.95:
                d = rng.choice(['无', '%'])
                return E('coalesce(%s, %s) == %s' % (e.bq, bq_str(d), bq_str(d)),
                         '(coalesce(%s, %s) = %s)' % (e.sql, sql_str(d), sql_str(d)), 'bool', atomic=False)
            others = [x for x in self.cols_of(state, ('str',)) if x.name != c.name]
            if others and rng.random() < 0.5:
                return compare(rng.choice(['==', '!=', '<', '>=']), e, rng.choice(others).expr())
            n = rng.randint(1, 12)
            return E('len(%s) %s %d' % (e.bq, '>', n), '(length(%s) > %d)' % (e.sql, n), 'bool', atomic=False)
        if k == 'date':
            if rng.random() < 0.05:
                return null_compare(rng, e)
            v = self.date_constant(state, e)
            lit = E(bq_str(v) if rng.random() < 0.5 else v, sql_str(v), 'date')
            return compare(rng.choice(['==', '!=', '<', '<=', '>', '>=']), e, lit)
        if k == 'month':
            v = rng.choice(['2024-03', '2024-06', '2024-12', '2024-09'])
            return compare(rng.choice(['==', '<', '>=']), e, E(v, sql_str(v), 'month'))
        if k == 'list':
            regions = sorted({r for r in self.sql('SELECT region FROM project_regions WHERE region IS NOT NULL')
                              for r in r})
            v = rng.choice(regions) if regions and rng.random() < 0.8 else rng.choice(ABSENT_REGIONS + list(REGION_ALIASES))
            return E('%s has %s' % (e.bq, bq_str(v)),
                     "(instr(';' || %s || ';', %s) > 0)" % (e.sql, sql_str(';' + REGION_ALIASES.get(v, v) + ';')), 'bool', atomic=False)
        if k == 'bool':
            r = rng.random()
            if r < 0.5:
                return e
            if r < 0.8:
                return E('not %s' % e.bq, '(NOT %s)' % e.sql, 'bool', atomic=False)
            b = rng.choice([True, False])
            return E('%s == %s' % (e.bq, 'true' if b else 'false'), '(%s = %d)' % (e.sql, 1 if b else 0), 'bool',
                     atomic=False)
        return E('true', '1', 'bool')

    def predicate(self, state, depth=0):
        rng = self.rng
        r = rng.random()
        if depth >= 2 or r < 0.55:
            return self.atom(state)
        if r < 0.75:
            return logic('and', self.predicate(state, depth + 1), self.predicate(state, depth + 1))
        if r < 0.92:
            return logic('or', self.predicate(state, depth + 1), self.predicate(state, depth + 1))
        return negation(self.predicate(state, depth + 1))

    # --- operators ---------------------------------------------------------------------------

    @ends_query
    def op_where(self, state):
        p = self.predicate(state)
        return state.then('where ' + p.bq, state.cols, 'SELECT * FROM (%s) WHERE %s' % (state.sql, p.sql), state.total)

    @ends_query
    def op_select(self, state):
        rng = self.rng
        plain = [c for c in state.cols if c.name not in LONG_COLUMNS or rng.random() < 0.1]
        chosen = rng.sample(plain, min(len(plain), rng.randint(1, 4)))
        pending = []  # (expr, explicit name or None, source column or None)
        for c in chosen:
            if rng.random() < 0.1:
                pending.append((c.expr(), self.fresh_name(state), c))
            else:
                pending.append((c.expr(), None, c))
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            e = self.value_expr(state)
            if e is None:
                continue
            pending.append((e, None if rng.random() < 0.15 else self.fresh_name(state), None))
        rng.shuffle(pending)
        items = []  # (bq item, sql expr, Col)

        def out_col(name, e, src):
            return src.renamed(name) if src is not None else Col(name, e.kind, e.exact)
        names = [n for _, n, _ in pending if n is not None]
        for pos, (e, n, src) in enumerate(pending):
            if n is None:
                default = e.dname if e.dname is not None else 'column%d' % (pos + 1)
                if default in names:
                    n = self.fresh_name(state, names)
                else:
                    items.append((e.bq, e.sql, out_col(default, e, src)))
                    names.append(default)
                    continue
            elif n in [i[2].name for i in items]:
                n = self.fresh_name(state, names)
            names.append(n)
            items.append(('%s = %s' % (n, e.bq), e.sql, out_col(n, e, src)))
        sql = 'SELECT %s, _rn FROM (%s)' % (', '.join('%s AS %s' % (s, qi(c.name)) for _, s, c in items), state.sql)
        return state.then('select ' + ', '.join(b for b, _, _ in items), [c for _, _, c in items], sql, state.total)

    @ends_query
    def op_derive(self, state, whole=False):
        """derive n = expr, …; with whole=True the first item is an aggregate over the whole result."""
        rng = self.rng
        texts = []
        cur = state
        for step in range(rng.choice([1, 1, 2])):
            r = 0.0 if whole and step == 0 else rng.random()
            replace = [c for c in cur.cols if c.kind in EXACT_NUM and c.orig not in ('id',)]
            if r < 0.3 and self.cols_of(cur, EXACT_NUM):
                n = self.fresh_name(cur)
                bq, sql_e, col = self.whole_result_aggregate(cur, n, running=whole)
            else:
                e = self.value_expr(cur)
                if r < 0.25 and replace:
                    target = rng.choice(replace)
                    e = self._mul_const(target.expr()) if rng.random() < 0.5 else arith(
                        '+', target.expr(), lit_from_decimal(rng, Decimal(rng.choice([1, 100, '0.5']))))
                    n = target.name
                else:
                    n = self.fresh_name(cur)
                bq = '%s = %s' % (bqname(n), e.bq)
                sql_e = e.sql
                col = Col(n, e.kind, e.exact)
            cols, exprs = [], []
            replaced = False
            for c in cur.cols:
                if c.name == n:
                    cols.append(col)
                    exprs.append('%s AS %s' % (sql_e, qi(n)))
                    replaced = True
                else:
                    cols.append(c)
                    exprs.append(qi(c.name))
            if not replaced:
                cols.append(col)
                exprs.append('%s AS %s' % (sql_e, qi(n)))
            sql = 'SELECT %s, _rn FROM (%s)' % (', '.join(exprs), cur.sql)
            texts.append(bq)
            cur = State(cur.table, cols, sql, cur.total, cur.ops)
        return state.then('derive ' + ', '.join(texts), cur.cols, cur.sql, state.total)

    def whole_result_aggregate(self, cur, n, running=False):
        """derive n = …: aggregates over the whole result (x / sum(x), x - avg(x), max(x), count()) and
        running_sum(x) in the current order (only when that order is fully determined)."""
        rng = self.rng
        c = rng.choice(self.cols_of(cur, EXACT_NUM)).expr()
        if rng.random() < 0.15:
            e = self.numeric_expr(cur, allow_real=False)
            if e is not None and e.kind in EXACT_NUM:
                c = e
        scale = 10 ** SCALE[c.kind]
        whole = 'OVER ()'
        running = 'OVER (ORDER BY _rn ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)'
        options = ['share', 'share', 'centered', 'max', 'min', 'count']
        if cur.total:
            options += ['running', 'running', 'running', 'running_share']
            if running and rng.random() < 0.7:
                options = ['running', 'running', 'running', 'running_share']
        f = rng.choice(options)
        if f == 'share':
            # A share of the whole result: x / sum(x).
            total = '(CAST(SUM(%s) %s AS REAL) / %d.0)' % (c.sql, whole, scale)
            return ('%s = %s / sum(%s)' % (n, paren(c), c.bq), '(%s / %s)' % (to_real(c), total),
                    Col(n, 'real', False))
        if f == 'centered':
            avg = '(CAST(SUM(%s) %s AS REAL) / %d.0 / COUNT(%s) %s)' % (c.sql, whole, scale, c.sql, whole)
            return '%s = %s - avg(%s)' % (n, paren(c), c.bq), '(%s - %s)' % (to_real(c), avg), Col(n, 'real', False)
        if f in ('max', 'min'):
            return '%s = %s(%s)' % (n, f, c.bq), '%s(%s) %s' % (f.upper(), c.sql, whole), Col(n, c.kind)
        if f == 'count':
            return '%s = count()' % n, 'COUNT(*) %s' % whole, Col(n, 'int')
        # running_sum skips nulls; before the first value it is 0.
        run = 'COALESCE(SUM(%s) %s, 0)' % (c.sql, running)
        if f == 'running':
            return '%s = running_sum(%s)' % (n, c.bq), run, Col(n, c.kind)
        total = '(CAST(SUM(%s) %s AS REAL) / %d.0)' % (c.sql, whole, scale)
        return ('%s = running_sum(%s) / sum(%s)' % (n, c.bq, c.bq),
                '((CAST(%s AS REAL) / %d.0) / %s)' % (run, scale, total), Col(n, 'real', False))

    def sort_keys(self, state, n_keys):
        """Random sort keys: (bq text, sql, descending, expr)."""
        rng = self.rng
        long_ok = rng.random() < 0.1
        cands = [c for c in state.cols if c.kind != 'list' and (c.kind != 'real' or c.exact)
                 and (long_ok or c.name not in LONG_COLUMNS)]
        keys = []
        for c in rng.sample(cands, min(n_keys, len(cands))):
            e = c.expr()
            if rng.random() < 0.15 and c.kind in EXACT_NUM:
                e = self.numeric_expr(state, allow_real=True)
                if e is None or (e.kind == 'real' and not e.exact):
                    e = c.expr()
            keys.append(e)
        return keys, cands

    def tiebreak(self, state, keys, cands):
        """Adds columns to keys until they are unique over the current rows; returns (keys, unique)."""
        if self.unique(state, keys):
            return keys, True
        used = {k.bq for k in keys}
        preferred = ['id', 'line', 'project_id', 'name', 'level2', 'level1', 'region', 'regions', 'type']
        ordered = sorted(cands, key=lambda c: preferred.index(c.name) if c.name in preferred else len(preferred))
        for c in ordered:
            if c.name in used:
                continue
            keys = keys + [c.expr()]
            used.add(c.name)
            if self.unique(state, keys):
                return keys, True
            if len(keys) >= 4:
                break
        return keys, False

    def _sorted_state(self, state, word, keys, dirs, default_desc, unique):
        parts_bq, parts_sql = [], []
        for e, d in zip(keys, dirs):
            text = e.bq
            if d is not None:
                text += ' desc' if d else ' asc'
            desc = default_desc if d is None else d
            parts_bq.append(text)
            parts_sql.append('%s %s' % (e.sql, 'DESC' if desc else 'ASC'))
        inner = 'SELECT p.*, ROW_NUMBER() OVER (ORDER BY %s, p._rn) AS _rnx FROM (%s) p' % (', '.join(parts_sql), state.sql)
        sql = 'SELECT %s, _rnx AS _rn FROM (%s)' % (', '.join(qi(c.name) for c in state.cols), inner)
        return state.then('%s %s' % (word, ', '.join(parts_bq)), state.cols, sql, unique)

    @ends_query
    def op_sort(self, state, want_unique=False):
        rng = self.rng
        keys, cands = self.sort_keys(state, rng.choice([1, 1, 2]))
        if not keys:
            return state
        unique = self.unique(state, keys)
        if not unique and (want_unique or rng.random() < 0.8):
            keys, unique = self.tiebreak(state, keys, cands)
        dirs = [rng.choice([None, False, True]) for _ in keys]
        return self._sorted_state(state, 'sort by', keys, dirs, False, unique)

    @ends_query
    def op_take(self, state):
        n = self.rng.choice([0, 1, 2, 3, 5, 10, 100])
        return state.then('take %d' % n, state.cols, 'SELECT * FROM (%s) ORDER BY _rn LIMIT %d' % (state.sql, n), state.total)

    @ends_query
    def op_top(self, state):
        rng = self.rng
        keys, cands = self.sort_keys(state, rng.choice([1, 1, 2]))
        if not keys:
            return None
        keys, unique = self.tiebreak(state, keys, cands)
        if not unique:
            return None
        dirs = [rng.choice([None, None, False, True]) for _ in keys]
        sorted_state = self._sorted_state(state, 'sort by', keys, dirs, True, True)
        n = rng.choice([1, 2, 3, 5, 20])
        parts = []
        for e, d in zip(keys, dirs):
            parts.append(e.bq + ('' if d is None else (' desc' if d else ' asc')))
        return state.then('top %d by %s' % (n, ', '.join(parts)), state.cols,
                          'SELECT * FROM (%s) ORDER BY _rn LIMIT %d' % (sorted_state.sql, n), True)

    @ends_query
    def op_distinct(self, state):
        rng = self.rng
        cands = [c for c in state.cols if c.name not in LONG_COLUMNS and (c.kind != 'real' or c.exact)]
        if rng.random() < 0.15 and len(state.cols) <= 6:
            chosen = list(state.cols)
            text = 'distinct'
        else:
            chosen = rng.sample(cands, min(len(cands), rng.randint(1, 2)))
            if not chosen:
                return None
            text = 'distinct ' + ', '.join(bqname(c.name) for c in chosen)
        cols_sql = ', '.join(qi(c.name) for c in chosen)
        sql = 'SELECT %s, MIN(_rn) AS _rn FROM (%s) GROUP BY %s' % (cols_sql, state.sql, cols_sql)
        # The order of first appearance is not part of the contract: compare as a multiset.
        return state.then(text, list(chosen), sql, False)

    @ends_query
    def op_count(self, state):
        s = state.then('count', [Col('count', 'int')], 'SELECT COUNT(*) AS "count", 1 AS _rn FROM (%s)' % state.sql, True)
        s.ended = True
        return s

    def explode_target(self, state):
        """(regions column, the column with its project's id), or None when explode cannot be mirrored."""
        for lc in state.cols:
            if lc.kind == 'list' and lc.orig == 'regions' and lc.pid:
                for c in state.cols:
                    if c.kind == 'int' and c.orig == lc.pid:
                        return lc, c
        return None

    def can_explode(self, state):
        return self.explode_target(state) is not None

    def explode_sql(self, state, list_col, alias):
        _, idc = self.explode_target(state)
        exprs = []
        cols = []
        for c in state.cols:
            if c is list_col:
                exprs.append('pr.region AS %s' % qi(alias))
                cols.append(Col(alias, 'str', orig='region'))
            else:
                exprs.append('p.%s' % qi(c.name))
                cols.append(c)
        sql = ('SELECT %s, ROW_NUMBER() OVER (ORDER BY p._rn, pr.idx) AS _rn FROM (%s) p '
               'JOIN project_regions pr ON pr.project_id = p.%s' % (', '.join(exprs), state.sql, qi(idc.name)))
        return cols, sql

    @ends_query
    def op_explode(self, state):
        if not self.can_explode(state):
            return None
        list_col = self.explode_target(state)[0]
        alias = self.rng.choice(['region', 'region', 'r', None])
        if alias in state.names():
            alias = None
        name = alias or list_col.name
        cols, sql = self.explode_sql(state, list_col, name)
        text = 'explode %s' % bqname(list_col.name) + (' as %s' % alias if alias else '')
        return state.then(text, cols, sql, False)

    def aggregate(self, state, taken):
        """One aggregate: (bq item, sql, Col)."""
        rng = self.rng
        nums = self.cols_of(state, NUM)
        orderable = [c for c in state.cols if c.kind in ('int', 'money', 'dec', 'str', 'date', 'month', 'real')
                     and c.name not in LONG_COLUMNS]
        anyc = [c for c in state.cols if c.kind != 'list']
        choices = ['count']
        if anyc:
            choices += ['count_x', 'dcount']
        if nums:
            choices += ['sum', 'sum', 'avg', 'avg']
        if orderable:
            choices += ['min', 'max']
        if nums:
            choices += ['ratio', 'spread']
        f = rng.choice(choices)

        def arg_num():
            e = rng.choice(nums).expr()
            if rng.random() < 0.2:
                e2 = self.numeric_expr(state)
                if e2 is not None:
                    e = e2
            return e

        if f == 'count':
            bq, sql, kind, exact, default = 'count()', 'COUNT(*)', 'int', True, 'count'
        elif f == 'count_x':
            e = rng.choice(anyc).expr()
            bq, sql, kind, exact, default = 'count(%s)' % e.bq, 'COUNT(%s)' % e.sql, 'int', True, 'count_' + e.dname
        elif f == 'dcount':
            e = rng.choice(anyc).expr()
            bq, sql, kind, exact, default = 'dcount(%s)' % e.bq, 'COUNT(DISTINCT %s)' % e.sql, 'int', True, 'dcount_' + e.dname
        elif f == 'sum':
            e = arg_num()
            bq, sql, kind, exact = 'sum(%s)' % e.bq, 'SUM(%s)' % e.sql, e.kind, e.kind != 'real'
            default = call_name('sum', e)
        elif f == 'avg':
            e = arg_num()
            if e.kind == 'real':
                sql, exact = 'AVG(%s)' % e.sql, False
            else:
                sql, exact = '(CAST(SUM(%s) AS REAL) / %d.0 / COUNT(%s))' % (e.sql, 10 ** SCALE[e.kind], e.sql), True
            bq, kind = 'avg(%s)' % e.bq, 'real'
            default = call_name('avg', e)
        elif f in ('min', 'max'):
            e = rng.choice(orderable).expr()
            bq, sql, kind, exact = '%s(%s)' % (f, e.bq), '%s(%s)' % (f.upper(), e.sql), e.kind, e.exact
            default = call_name(f, e)
        elif f == 'ratio':
            # sum(x) / count(): a real computed from exact parts.
            e = rng.choice(self.cols_of(state, EXACT_NUM) or nums).expr()
            s = E('sum(%s)' % e.bq, 'SUM(%s)' % e.sql, e.kind, e.kind != 'real')
            c = E('count()', 'COUNT(*)', 'int')
            r = arith('/', s, c)
            bq, sql, kind, exact, default = r.bq, r.sql, 'real', r.exact, None
        else:
            # max(x) - min(x)
            e = rng.choice(nums).expr()
            hi = E('max(%s)' % e.bq, 'MAX(%s)' % e.sql, e.kind, e.exact)
            lo = E('min(%s)' % e.bq, 'MIN(%s)' % e.sql, e.kind, e.exact)
            r = arith('-', hi, lo)
            bq, sql, kind, exact, default = r.bq, r.sql, r.kind, r.exact, None
        if default is not None and default not in taken and rng.random() < 0.3:
            return bq, sql, Col(default, kind, exact)
        n = self.fresh_name(state, taken)
        return '%s = %s' % (n, bq), sql, Col(n, kind, exact)

    @ends_query
    def op_summarize(self, state, n_keys=None, by_list=False):
        rng = self.rng
        if n_keys is None:
            n_keys = rng.choice([0, 1, 1, 1, 2, 2])
        work = state
        keys = []   # (bq item, sql, Col)
        if (by_list or (n_keys and rng.random() < 0.15)) and self.can_explode(state):
            # `by regions`: budgetq counts each row under each element (and once with null when empty).
            lc = self.explode_target(state)[0]
            cols, sql = self.explode_sql(state, lc, lc.name)
            work = State(state.table, cols, sql, False, state.ops)
            keys.append((bqname(lc.name), qi(lc.name), Col(lc.name, 'str', orig='region')))
            n_keys = max(0, n_keys - 1)
        long_ok = rng.random() < 0.1
        groupable = [c for c in work.cols if c.kind in ('int', 'money', 'dec', 'str', 'date', 'month', 'bool')
                     and (long_ok or c.name not in LONG_COLUMNS) and all(c.name != k[2].name for k in keys)]
        # budgetq binds key expressions before it explodes a list key, so other key expressions must
        # not use the list column (as an element string); aggregates are bound after and may.
        keyctx = State(work.table, [c for c in work.cols if all(c.name != k[2].name for k in keys)], work.sql,
                       False, work.ops)
        for c in rng.sample(groupable, min(n_keys, len(groupable))):
            r = rng.random()
            if r < 0.12:
                e = self.atom(keyctx)
                n = self.fresh_name(work, [k[2].name for k in keys])
                keys.append(('%s = %s' % (n, e.bq), e.sql, Col(n, 'bool')))
            elif r < 0.22:
                e = self.scalar_function(keyctx)
                if e is None or e.kind == 'real':
                    keys.append((bqname(c.name), qi(c.name), c))
                    continue
                n = self.fresh_name(work, [k[2].name for k in keys])
                keys.append(('%s = %s' % (n, e.bq), e.sql, Col(n, e.kind, e.exact)))
            else:
                keys.append((bqname(c.name), qi(c.name), c))
        taken = [k[2].name for k in keys]
        aggs = []
        # `summarize by k` (keys only) is allowed: the distinct keys, sorted.
        n_aggs = rng.choice([1, 1, 2, 2, 3]) if not keys or rng.random() > 0.06 else 0
        for _ in range(n_aggs):
            a = self.aggregate(work, taken)
            aggs.append(a)
            taken.append(a[2].name)
        text = 'summarize ' + ', '.join(a[0] for a in aggs)
        if keys:
            text += (' by ' if aggs else 'by ') + ', '.join(k[0] for k in keys)
        select = ', '.join(['%s AS %s' % (k[1], qi(k[2].name)) for k in keys] +
                           ['%s AS %s' % (a[1], qi(a[2].name)) for a in aggs])
        if keys:
            group = ', '.join(k[1] for k in keys)
            sql = 'SELECT %s, ROW_NUMBER() OVER (ORDER BY %s) AS _rn FROM (%s) GROUP BY %s' % (
                select, ', '.join(k[1] + ' ASC' for k in keys), work.sql, group)
        else:
            sql = 'SELECT %s, 1 AS _rn FROM (%s)' % (select, work.sql)
        return state.then(text, [k[2] for k in keys] + [a[2] for a in aggs], sql, True)

    # --- join, compare, pivot ----------------------------------------------------------------

    @ends_query
    def op_join(self, state):
        """`join projects on project_id == id` (and projects → indicators/coverage, indicators → projects by
        name): left columns, then the right ones except its key, `T_name` where the name is taken."""
        rng = self.rng
        options = []
        for c in state.cols:
            if c.kind == 'int' and c.orig == 'project_id':
                options += [(c, 'projects', 'id')] * 4
            elif c.kind == 'int' and c.orig == 'id':
                options += [(c, 'indicators', 'project_id'), (c, 'coverage', 'project_id')]
            elif c.kind == 'str' and c.orig == 'project':
                options.append((c, 'projects', 'name'))
        options = [o for o in options if not any(n.startswith(o[1] + '_') for n in state.names())]
        if not options:
            return None
        lkey, table, rkey = rng.choice(options)
        taken = set(state.names())
        cols = list(state.cols)
        exprs = ['l.%s' % qi(c.name) for c in state.cols]
        for n, k in self.schemas[table]:
            if n == rkey:
                continue
            out = '%s_%s' % (table, n) if n in taken else n
            pid = None
            if n == 'regions':
                pid = lkey.orig if rkey == 'id' else 'id'
            cols.append(Col(out, k, orig=n, pid=pid))
            exprs.append('r.%s AS %s' % (qi(n), qi(out)))
        if len(set(c.name for c in cols)) != len(cols):
            return None
        sql = 'SELECT %s, ROW_NUMBER() OVER (ORDER BY l._rn, r.rowid) AS _rn FROM (%s) l JOIN %s r ON l.%s = r.%s' % (
            ', '.join(exprs), state.sql, qi(table), qi(lkey.name), qi(rkey))
        if rkey == lkey.name and rng.random() < 0.5:
            text = 'join %s on %s' % (table, rkey)
        else:
            text = 'join %s on %s == %s' % (table, bqname(lkey.name), rkey)
        return state.then(text, cols, sql, state.total)

    def spread_aggregate(self, state, numeric_only):
        """The aggregate of compare/pivot: (bq text, sql(cond) over the rows where cond holds, kind, exact,
        zero_fill). compare leaves a missing group null, whatever the aggregate (pivot does too)."""
        rng = self.rng
        nums = self.cols_of(state, NUM)
        anyc = [c for c in state.cols if c.kind != 'list' and c.name not in LONG_COLUMNS]
        orderable = [c for c in state.cols if c.kind in ('int', 'money', 'dec', 'real', 'str', 'date', 'month')
                     and c.name not in LONG_COLUMNS]
        choices = ['count', 'count']
        if anyc:
            choices += ['count_x', 'dcount']
        if nums:
            choices += ['sum', 'sum', 'sum', 'avg', 'min', 'max']
        if orderable and not numeric_only:
            choices += ['min_any', 'max_any']
        f = rng.choice(choices)
        if f == 'count':
            return 'count()', lambda w: 'COUNT(CASE WHEN %s THEN 1 END)' % w, 'int', True, True
        if f in ('count_x', 'dcount'):
            e = rng.choice(anyc).expr()
            d = 'DISTINCT ' if f == 'dcount' else ''
            return ('%s(%s)' % (f.split('_')[0], e.bq), lambda w: 'COUNT(%sCASE WHEN %s THEN %s END)' % (d, w, e.sql),
                    'int', True, True)
        if f in ('min_any', 'max_any'):
            e = rng.choice(orderable).expr()
            g = f[:3]
            return '%s(%s)' % (g, e.bq), lambda w: '%s(CASE WHEN %s THEN %s END)' % (g.upper(), w, e.sql), e.kind, e.exact, False
        e = rng.choice(nums).expr()
        if rng.random() < 0.2:
            e2 = self.numeric_expr(state)
            if e2 is not None:
                e = e2
        if f == 'sum':
            return 'sum(%s)' % e.bq, lambda w: 'SUM(CASE WHEN %s THEN %s END)' % (w, e.sql), e.kind, e.kind != 'real', True
        if f == 'avg':
            if e.kind == 'real':
                return 'avg(%s)' % e.bq, lambda w: 'AVG(CASE WHEN %s THEN %s END)' % (w, e.sql), 'real', False, False
            return ('avg(%s)' % e.bq, lambda w: '(CAST(SUM(CASE WHEN {w} THEN {x} END) AS REAL) / {s}.0 / COUNT(CASE WHEN {w} '
                    'THEN {x} END))'.format(w=w, x=e.sql, s=10 ** SCALE[e.kind]), 'real', True, False)
        return '%s(%s)' % (f, e.bq), lambda w: '%s(CASE WHEN %s THEN %s END)' % (f.upper(), w, e.sql), e.kind, e.exact, False

    def spread_keys(self, state, exclude):
        """0–2 `by` keys for compare/pivot: columns, sometimes a named expression. [(bq, sql, Col)]"""
        rng = self.rng
        groupable = [c for c in state.cols if c.kind in ('int', 'money', 'dec', 'str', 'date', 'month', 'bool')
                     and c.name not in LONG_COLUMNS and c.name != exclude]
        keys = []
        for c in rng.sample(groupable, min(len(groupable), rng.choice([0, 1, 1, 1, 2]))):
            if rng.random() < 0.1:
                e = self.scalar_function(state)
                if e is not None and e.kind != 'real':
                    n = self.fresh_name(state, [k[2].name for k in keys])
                    keys.append(('%s = %s' % (n, e.bq), e.sql, Col(n, e.kind, e.exact)))
                    continue
            keys.append((bqname(c.name), qi(c.name), c))
        return keys

    def spread_column(self, state, kinds):
        rng = self.rng
        cands = [c for c in state.cols if c.kind in kinds and c.name not in LONG_COLUMNS]
        if not cands:
            return None
        years = [c for c in cands if c.orig == 'year' or c.name == 'year']
        return rng.choice(years) if years and rng.random() < 0.6 else rng.choice(cands)

    @ends_query
    def op_compare(self, state, fixed=None):
        """`compare COL A vs B of AGG by keys`: keys…, A, B, delta = B − A, pct = delta / A × 100.
        fixed: {col, a, b, keys: [names], agg: (bq, sql(cond), kind, exact, zero_fill)} instead of random."""
        rng = self.rng
        if fixed:
            return self._compare(state, state.get(fixed['col']), fixed['a'], fixed['b'],
                                 [(bqname(n), qi(n), state.get(n)) for n in fixed['keys']], fixed['agg'])
        col = self.spread_column(state, ('int', 'str'))
        if col is None:
            return None
        vals = sorted(v for v in self.values(state, col.expr()) if col.kind != 'int' or v >= 0)
        if col.kind == 'int':
            pool = vals + [2019, 2030] if not vals or rng.random() < 0.15 else vals
        else:
            pool = vals + [rng.choice(ABSENT_STRINGS)] if not vals or rng.random() < 0.15 else vals
        pool = sorted(set(pool))
        if len(pool) < 2:
            return None
        if col.kind == 'int' and rng.random() < 0.6:
            i = rng.randrange(len(pool) - 1)
            a, b = pool[i], pool[i + 1]
            if rng.random() < 0.3:
                a, b = b, a
        else:
            a, b = rng.sample(pool, 2)
        keys = self.spread_keys(state, col.name)
        agg = self.spread_aggregate(state, numeric_only=True)
        return self._compare(state, col, a, b, keys, agg)

    def _compare(self, state, col, a, b, keys, agg):
        rng = self.rng

        def lit(v):
            return (str(v), str(v)) if col.kind == 'int' else (bq_str(v), sql_str(v))
        (abq, asql), (bbq, bsql) = lit(a), lit(b)
        la, lb = str(a), str(b)
        agg_bq, agg_sql, kind, exact, zero_fill = agg
        names = [k[2].name for k in keys] + [la, lb, 'delta', 'pct']
        if len(set(names)) != len(names) or any(n == '' or '`' in n or '\n' in n for n in names):
            return None
        if rng.random() < 0.1:
            agg_bq = '%s = %s' % (self.fresh_name(state), agg_bq)
        ca, cb = '%s = %s' % (qi(col.name), asql), '%s = %s' % (qi(col.name), bsql)
        key_sel = ['%s AS %s' % (k[1], qi(k[2].name)) for k in keys]
        inner = 'SELECT %s FROM (SELECT * FROM (%s) WHERE %s IN (%s, %s))' % (
            ', '.join(key_sel + ['COUNT(CASE WHEN %s THEN 1 END) AS _pa' % ca, 'COUNT(CASE WHEN %s THEN 1 END) AS _pb' % cb,
                                 '%s AS _va' % agg_sql(ca), '%s AS _vb' % agg_sql(cb)]),
            state.sql, qi(col.name), asql, bsql)
        if keys:
            inner += ' GROUP BY %s' % ', '.join(k[1] for k in keys)
        # A group with no rows in A (or B) is absent there: null, as are its delta and pct.
        fill = 'NULL'
        knames = [qi(k[2].name) for k in keys]
        mid = 'SELECT %s FROM (%s)' % (', '.join(knames + [
            '(CASE WHEN _pa > 0 THEN _va ELSE %s END) AS %s' % (fill, qi(la)),
            '(CASE WHEN _pb > 0 THEN _vb ELSE %s END) AS %s' % (fill, qi(lb))]), inner)
        delta = E('delta', qi('delta'), kind)
        av = E(la, qi(la), kind)
        pct = '(CASE WHEN %s = 0 THEN NULL ELSE %s / %s * 100.0 END)' % (qi(la), to_real(delta), to_real(av))
        withdelta = 'SELECT %s FROM (%s)' % (', '.join(knames + [qi(la), qi(lb), '(%s - %s) AS "delta"' % (qi(lb), qi(la))]), mid)
        order = 'ROW_NUMBER() OVER (ORDER BY %s)' % ', '.join(n + ' ASC' for n in knames) if keys else '1'
        sql = 'SELECT %s FROM (%s)' % (', '.join(knames + [qi(la), qi(lb), '"delta"', '%s AS "pct"' % pct,
                                                           '%s AS _rn' % order]), withdelta)
        text = 'compare %s %s vs %s of %s' % (bqname(col.name), abq, bbq, agg_bq)
        if keys:
            text += ' by ' + ', '.join(k[0] for k in keys)
        cols = [k[2] for k in keys] + [Col(la, kind, exact), Col(lb, kind, exact), Col('delta', kind, exact),
                                       Col('pct', 'real', False)]
        return state.then(text, cols, sql, True)

    @ends_query
    def op_pivot(self, state, fixed=None):
        """`pivot COL of AGG by keys`: keys…, one column per distinct COL value (ascending, null first, named
        `null`), missing cells null; one row per key (none at all when the input is empty).
        fixed: {col, keys: [names], agg: (bq, sql(cond), kind, exact, zero_fill)} instead of random."""
        col = state.get(fixed['col']) if fixed else self.spread_column(state, ('int', 'str', 'bool'))
        if col is None:
            return None
        vals = [r[0] for r in self.sql('SELECT DISTINCT %s FROM (%s) ORDER BY 1 LIMIT 13' % (qi(col.name), state.sql))]
        if len(vals) > 12:
            return None

        def label(v):
            if v is None:
                return 'null'
            if col.kind == 'bool':
                return 'true' if v else 'false'
            return str(v)

        def cond(v):
            if v is None:
                return '%s IS NULL' % qi(col.name)
            return '%s = %s' % (qi(col.name), sql_str(v) if col.kind == 'str' else str(int(v)))
        if fixed:
            keys = [(bqname(n), qi(n), state.get(n)) for n in fixed['keys']]
            agg_bq, agg_sql, kind, exact, _ = fixed['agg']
        else:
            keys = self.spread_keys(state, col.name)
            agg_bq, agg_sql, kind, exact, _ = self.spread_aggregate(state, numeric_only=False)
        labels = [label(v) for v in vals]
        names = [k[2].name for k in keys] + labels
        if len(set(names)) != len(names) or any(n == '' or '`' in n or '\n' in n for n in names):
            return None
        cells = ['(CASE WHEN COUNT(CASE WHEN %s THEN 1 END) > 0 THEN %s END) AS %s' % (cond(v), agg_sql(cond(v)), qi(l))
                 for v, l in zip(vals, labels)]
        key_sel = ['%s AS %s' % (k[1], qi(k[2].name)) for k in keys]
        if keys:
            sql = 'SELECT %s FROM (%s) GROUP BY %s' % (', '.join(key_sel + cells + [
                'ROW_NUMBER() OVER (ORDER BY %s) AS _rn' % ', '.join(k[1] + ' ASC' for k in keys)]),
                state.sql, ', '.join(k[1] for k in keys))
        else:
            sql = 'SELECT * FROM (SELECT %s FROM (%s)) WHERE _n > 0' % (
                ', '.join(cells + ['COUNT(*) AS _n', '1 AS _rn']), state.sql)
        text = 'pivot %s of %s' % (bqname(col.name), agg_bq)
        if keys:
            text += ' by ' + ', '.join(k[0] for k in keys)
        cols = [k[2] for k in keys] + [Col(l, kind, exact) for l in labels]
        out = state.then(text, cols, sql, True)
        # No keys and no rows: a result without columns; nothing can follow it.
        out.ended = not cols
        return out

    # --- whole queries -----------------------------------------------------------------------

    def pick_table(self):
        return self.rng.choices(['projects', 'indicators', 'coverage'], [45, 40, 15])[0]

    def maybe(self, p):
        return self.rng.random() < p

    def query(self):
        rng = self.rng
        shape = rng.choices(
            ['filter_select', 'filter_count', 'group', 'top', 'distinct', 'explode', 'derive', 'by_regions',
             'two_level', 'walk', 'regression_shapes', 'join', 'compare', 'pivot', 'empty', 'running'],
            [12, 6, 16, 7, 6, 6, 6, 3, 4, 12, 2, 8, 8, 8, 8, 5])[0]
        table = 'projects' if shape in ('explode', 'by_regions') else self.pick_table()
        if shape == 'join':
            table = rng.choices(['indicators', 'coverage', 'projects'], [45, 35, 20])[0]
        s = self.source(table)
        if shape == 'filter_select':
            for _ in range(rng.choice([1, 1, 2])):
                s = self.op_where(s)
            s = self.op_select(s)
            if self.maybe(0.5):
                s = self.op_sort(s, want_unique=True)
                if s.total and self.maybe(0.7):
                    s = self.op_take(s)
        elif shape == 'filter_count':
            if self.maybe(0.9):
                s = self.op_where(s)
            s = self.op_count(s)
        elif shape == 'group':
            if self.maybe(0.6):
                s = self.op_where(s)
            s = self.op_summarize(s)
            if self.maybe(0.25):
                s = self.op_where(s)
            if self.maybe(0.5):
                s = self.op_sort(s, want_unique=True)
                if s.total and self.maybe(0.7):
                    s = self.op_take(s)
        elif shape == 'top':
            if self.maybe(0.5):
                s = self.op_where(s)
            if self.maybe(0.4):
                s = self.op_select(s)
            t = self.op_top(s)
            s = t if t is not None else self.op_sort(s)
            if self.maybe(0.5) and not (s.cols and len(s.cols) <= 3):
                s = self.op_select(s)
        elif shape == 'distinct':
            if self.maybe(0.5):
                s = self.op_where(s)
            d = self.op_distinct(s)
            if d is not None:
                s = d
            if self.maybe(0.4):
                s = self.op_sort(s, want_unique=True)
                if s.total and self.maybe(0.6):
                    s = self.op_take(s)
            elif self.maybe(0.2):
                s = self.op_count(s)
        elif shape == 'explode':
            if self.maybe(0.4):
                s = self.op_where(s)
            s = self.op_explode(s) or s
            if self.maybe(0.35):
                s = self.op_where(s)
            if self.maybe(0.8):
                region = [c for c in s.cols if c.orig == 'region']
                s = self.op_summarize(s, n_keys=1) if not region else self._summarize_by(s, region[0])
                if self.maybe(0.4):
                    s = self.op_sort(s, want_unique=True)
                    if s.total and self.maybe(0.6):
                        s = self.op_take(s)
            else:
                s = self.op_select(s)
        elif shape == 'derive':
            if self.maybe(0.4):
                s = self.op_where(s)
            s = self.op_derive(s)
            if self.maybe(0.6):
                s = self.op_where(s)
            if self.maybe(0.5):
                s = self.op_summarize(s)
            else:
                s = self.op_select(s)
                if self.maybe(0.4):
                    s = self.op_sort(s, want_unique=True)
        elif shape == 'by_regions':
            if self.maybe(0.4):
                s = self.op_where(s)
            s = self.op_summarize(s, n_keys=rng.choice([1, 1, 2]), by_list=True)
        elif shape == 'two_level':
            if self.maybe(0.3):
                s = self.op_where(s)
            s = self.op_summarize(s, n_keys=2)
            if self.maybe(0.3):
                s = self.op_where(s)
            s = self.op_summarize(s, n_keys=rng.choice([0, 1]))
        elif shape == 'regression_shapes':
            s = self.regression_shape(s)
        elif shape == 'join':
            if self.maybe(0.4):
                s = self.op_where(s)
            s = self.op_join(s) or s
            r = rng.random()
            if self.maybe(0.4):
                s = self.op_where(s)
            if r < 0.35:
                s = self.op_summarize(s)
            elif r < 0.5 and self.can_explode(s):
                s = self.op_explode(s)
                region = [c for c in s.cols if c.orig == 'region']
                s = self._summarize_by(s, region[0]) if region and self.maybe(0.7) else self.op_select(s)
            elif r < 0.6:
                s = self.op_count(s)
            elif r < 0.75:
                s = self.op_top(s) or self.op_select(s)
            else:
                s = self.op_select(s)
                if self.maybe(0.5):
                    s = self.op_sort(s, want_unique=True)
                    if s.total and self.maybe(0.6):
                        s = self.op_take(s)
        elif shape in ('compare', 'pivot'):
            if self.maybe(0.5):
                s = self.op_where(s)
            if s.table != 'projects' and self.maybe(0.3):
                s = self.op_join(s) or s
            elif self.maybe(0.1):
                s = self.op_derive(s)
            s = (self.op_compare(s) if shape == 'compare' else self.op_pivot(s)) or self.op_summarize(s)
            r = rng.random()
            if r < 0.3:
                s = self.op_sort(s, want_unique=True)
                if s.total and self.maybe(0.6):
                    s = self.op_take(s)
            elif r < 0.4:
                s = self.op_where(s)
            elif r < 0.45:
                s = self.op_count(s)
        elif shape == 'empty':
            s = self.empty(s)
            for _ in range(rng.choice([1, 1, 2, 3])):
                if s.ended:
                    break
                op = rng.choice(['summarize', 'summarize', 'top', 'distinct', 'pivot', 'compare', 'count', 'explode',
                                 'join', 'derive', 'sort', 'select', 'where'])
                nxt = {'summarize': self.op_summarize, 'top': self.op_top, 'distinct': self.op_distinct,
                       'pivot': self.op_pivot, 'compare': self.op_compare, 'count': self.op_count,
                       'explode': self.op_explode, 'join': self.op_join, 'derive': self.op_derive,
                       'sort': self.op_sort, 'select': self.op_select, 'where': self.op_where}[op](s)
                if nxt is not None:
                    s = nxt
        elif shape == 'running':
            if self.maybe(0.4):
                s = self.op_where(s)
            if self.maybe(0.4):
                s = self.op_summarize(s, n_keys=rng.choice([1, 1, 2]))
            s = self.op_sort(s, want_unique=True)
            s = self.op_derive(s, whole=True)
            if self.maybe(0.5):
                s = self.op_select(s)
            elif self.maybe(0.3):
                s = self.op_take(s)
        else:
            s = self.walk(s)
        return s

    def empty(self, s):
        """A filter that matches nothing (or take 0)."""
        rng = self.rng
        r = rng.random()
        if r < 0.1:
            return s.then('take 0', s.cols, 'SELECT * FROM (%s) LIMIT 0' % s.sql, s.total)
        if r < 0.2:
            return s.then('where false', s.cols, 'SELECT * FROM (%s) WHERE 0' % s.sql, s.total)
        nums = self.cols_of(s, EXACT_NUM)
        strs = self.cols_of(s, ('str',))
        if nums and (r < 0.6 or not strs):
            c = rng.choice(nums).expr()
            lit = lit_from_decimal(rng, Decimal(rng.choice([10 ** 12, 5 * 10 ** 11])))
            p = compare('>', c, lit)
        elif strs:
            c = rng.choice(strs).expr()
            v = rng.choice(ABSENT_STRINGS[:2])
            p = compare('==', c, E(bq_str(v), sql_str(v), 'str'))
        else:
            return s.then('where false', s.cols, 'SELECT * FROM (%s) WHERE 0' % s.sql, s.total)
        return s.then('where ' + p.bq, s.cols, 'SELECT * FROM (%s) WHERE %s' % (s.sql, p.sql), s.total)

    @ends_query
    def _summarize_by(self, s, region_col):
        """summarize … by region [, other key] after explode."""
        rng = self.rng
        keys = [(bqname(region_col.name), qi(region_col.name), region_col)]
        taken = [region_col.name]
        aggs = []
        for _ in range(rng.choice([1, 2, 2, 3])):
            a = self.aggregate(s, taken)
            aggs.append(a)
            taken.append(a[2].name)
        if rng.random() < 0.3:
            others = [c for c in s.cols if c.kind in ('str', 'int') and c.name not in LONG_COLUMNS
                      and c.name not in taken and c.name in ('type', 'start_year', 'level', 'end_year')]
            if others:
                o = rng.choice(others)
                keys.append((bqname(o.name), qi(o.name), o))
        text = 'summarize %s by %s' % (', '.join(a[0] for a in aggs), ', '.join(k[0] for k in keys))
        select = ', '.join(['%s AS %s' % (k[1], qi(k[2].name)) for k in keys] +
                           ['%s AS %s' % (a[1], qi(a[2].name)) for a in aggs])
        group = ', '.join(k[1] for k in keys)
        sql = 'SELECT %s, ROW_NUMBER() OVER (ORDER BY %s) AS _rn FROM (%s) GROUP BY %s' % (
            select, ', '.join(k[1] + ' ASC' for k in keys), s.sql, group)
        return s.then(text, [k[2] for k in keys] + [a[2] for a in aggs], sql, True)

    def regression_shape(self, s):
        """Shapes that have failed before: reals of 1e9 and more; coalesce/iff mixing scales."""
        rng = self.rng
        nums = self.cols_of(s, EXACT_NUM)
        if not nums:
            return self.walk(s)
        c = rng.choice(nums).expr()
        r = rng.random()
        if r < 0.35:
            e = arith('/', c, lit_from_decimal(rng, Decimal(rng.choice(['0.5', '0.1', 1, '0.01']))))
            n = self.fresh_name(s)
            if rng.random() < 0.5:
                cols = [Col(n, 'real', e.exact)]
                return s.then('summarize %s = sum(%s)' % (n, e.bq), cols,
                              'SELECT SUM(%s) AS %s, 1 AS _rn FROM (%s)' % (e.sql, qi(n), s.sql), True)
            keep = [x for x in s.cols if x.name in ('id', 'line', 'project_id', 'name')][:1]
            cols = keep + [Col(n, 'real', e.exact)]
            sql = 'SELECT %s, _rn FROM (%s)' % (', '.join([qi(k.name) for k in keep] + ['%s AS %s' % (e.sql, qi(n))]), s.sql)
            return s.then('select %s' % ', '.join([k.name for k in keep] + ['%s = %s' % (n, e.bq)]), cols, sql, False)
        # coalesce / iff mixing a scaled column with a plain literal
        for _ in range(5):
            e = self.scalar_function(s)
            if e is not None and (e.bq.startswith('coalesce(') or e.bq.startswith('iff(')) and e.kind in EXACT_NUM:
                break
        else:
            e = None
        if e is None:
            return self.walk(s)
        n = self.fresh_name(s)
        keep = [x for x in s.cols if x.name in ('id', 'line', 'project_id')][:1]
        cols = keep + [Col(n, e.kind)]
        sql = 'SELECT %s, _rn FROM (%s)' % (', '.join([qi(k.name) for k in keep] + ['%s AS %s' % (e.sql, qi(n))]), s.sql)
        return s.then('select %s' % ', '.join([k.name for k in keep] + ['%s = %s' % (n, e.bq)]), cols, sql, False)

    def walk(self, s):
        """A random sequence of 2–5 operators."""
        rng = self.rng
        for _ in range(rng.randint(2, 5)):
            if s.ended:
                break
            ops = ['where', 'where', 'select', 'derive', 'summarize', 'sort', 'distinct', 'top', 'count', 'explode',
                   'join', 'compare', 'pivot']
            if s.total:
                ops += ['take', 'take']
            op = rng.choice(ops)
            nxt = None
            if op == 'where':
                nxt = self.op_where(s)
            elif op == 'select':
                nxt = self.op_select(s)
            elif op == 'derive':
                nxt = self.op_derive(s)
            elif op == 'summarize':
                nxt = self.op_summarize(s)
            elif op == 'sort':
                nxt = self.op_sort(s)
            elif op == 'distinct':
                nxt = self.op_distinct(s)
            elif op == 'top':
                nxt = self.op_top(s)
            elif op == 'count' and rng.random() < 0.3:
                nxt = self.op_count(s)
            elif op == 'explode':
                nxt = self.op_explode(s)
            elif op == 'take':
                nxt = self.op_take(s)
            elif op == 'join':
                nxt = self.op_join(s)
            elif op == 'compare':
                nxt = self.op_compare(s)
            elif op == 'pivot':
                nxt = self.op_pivot(s)
            if nxt is not None:
                s = nxt
        return s


# ---------------------------------------------------------------------------------------------
# Fixed regression queries: shapes that exposed budgetq bugs. They run first on every run (and
# keep failing until the bug is fixed); the random generator produces these shapes too.
#   (table, operators, [(result column, kind)], SQL over the source as {src}, ordered)
# ---------------------------------------------------------------------------------------------

REGRESSIONS = [
    # coalesce() with a decimal column and a whole-number literal: null values became 0.0005, not 5.
    ('indicators', 'select line, v = coalesce(value, 5)', [('line', 'int'), ('v', 'dec')],
     'SELECT "line", coalesce("value", 50000) AS "v", _rn FROM ({src})', False),
    # iff() with a money column and a whole-number literal: 100 became 1.00.
    ('projects', 'select id, b = iff(budget > 1亿, budget, 100)', [('id', 'int'), ('b', 'money')],
     'SELECT "id", (CASE WHEN "budget" > 10000000000 THEN "budget" ELSE 10000 END) AS "b", _rn FROM ({src})', False),
    # iff() with a money column second: the result took the literal's type and printed fen as an integer.
    ('projects', 'select id, b = iff(budget < 1亿, 100, budget)', [('id', 'int'), ('b', 'money')],
     'SELECT "id", (CASE WHEN "budget" < 10000000000 THEN 10000 ELSE "budget" END) AS "b", _rn FROM ({src})', False),
    # iff() with a decimal literal first and an integer column second: 2021 became 0.2021.
    ('projects', 'select id, x = iff(budget > 1亿, 2.5, start_year)', [('id', 'int'), ('x', 'dec')],
     'SELECT "id", (CASE WHEN "budget" > 10000000000 THEN 25000 ELSE "start_year" * 10000 END) AS "x", _rn FROM ({src})',
     False),
    # `has`/`contains` with an empty needle was false for every row (startswith/endswith "" are true).
    ('projects', 'where name has "" | count', [('count', 'int')],
     'SELECT COUNT(*) AS "count", 1 AS _rn FROM ({src}) WHERE instr("name", \'\') > 0', True),
    # Reals of 1e9 and more crashed the CSV writer (Double -> Int64 overflow in CellFormatter.realText).
    ('projects', 'summarize s = sum(budget / 0.5)', [('s', 'real')],
     'SELECT SUM((CAST("budget" AS REAL) / 100.0) / (CAST(5000 AS REAL) / 10000.0)) AS "s", 1 AS _rn FROM ({src})', True),
    ('projects', 'select id, x = budget / 0.1', [('id', 'int'), ('x', 'real')],
     'SELECT "id", ((CAST("budget" AS REAL) / 100.0) / (CAST(1000 AS REAL) / 10000.0)) AS "x", _rn FROM ({src})', False),
]


def regression_compare_null_sum(gen):
    """compare: a group present in both years whose sum is null (every value null) must stay null, as in
    summarize and pivot; budgetq printed 0 (the zero for a *missing* group), and delta 0."""
    s = gen.source('indicators')
    s = s.then('where kind == "deadline"', s.cols, 'SELECT * FROM (%s) WHERE "kind" = \'deadline\'' % s.sql, s.total)
    agg = ('sum(value)', lambda w: 'SUM(CASE WHEN %s THEN "value" END)' % w, 'dec', True, True)
    return gen.op_compare(s, fixed=dict(col='year', a=2023, b=2024, keys=[], agg=agg))


def regression_pivot_nothing_count(gen):
    """pivot without `by` over no rows shows no rows (and no columns), but `count` after it said 1."""
    s = gen.source('projects')
    s = s.then('where year == 1999', s.cols, 'SELECT * FROM (%s) WHERE "year" = 1999' % s.sql, s.total)
    agg = ('count()', lambda w: 'COUNT(CASE WHEN %s THEN 1 END)' % w, 'int', True, True)
    p = gen.op_pivot(s, fixed=dict(col='type', keys=[], agg=agg))
    p.ended = False
    return gen.op_count(p)


REGRESSION_BUILDERS = [regression_compare_null_sum, regression_pivot_nothing_count]


def regression_states(gen):
    out = []
    for table, ops, cols, sql, total in REGRESSIONS:
        src = gen.source(table)
        out.append(src.then(ops, [Col(n, k) for n, k in cols], sql.format(src=src.sql), total))
    for build in REGRESSION_BUILDERS:
        out.append(build(gen))
    return out


# ---------------------------------------------------------------------------------------------
# Formatting and comparison
# ---------------------------------------------------------------------------------------------

def format_expected(kind, v):
    if v is None:
        return ''
    if kind == 'int':
        return str(int(v))
    if kind == 'money':
        return fmt_scaled(int(v), 2, 2)
    if kind == 'dec':
        return fmt_scaled(int(v), 4, 0)
    if kind == 'bool':
        return 'true' if v else 'false'
    if kind == 'real':
        return float(v)
    return str(v)


def real_close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def cell_equal(kind, expected, actual):
    if kind == 'real':
        if expected == '' or actual == '':
            return expected == actual
        try:
            return real_close(float(expected), float(actual))
        except ValueError:
            return False
    return expected == actual


def sort_key(kinds, row):
    out = []
    for k, v in zip(kinds, row):
        if k == 'real' and v != '':
            try:
                out.append('%.8e' % float(v))
            except ValueError:
                out.append(str(v))
        else:
            out.append(str(v))
    return out


def compare_results(state, expected_rows, out_bytes):
    """Returns None when equal, else a description of the difference."""
    names = state.names()
    kinds = [c.kind for c in state.cols]
    try:
        rows = parse_csv(out_bytes)
    except (UnicodeDecodeError, csv.Error) as e:
        return 'budgetq output is not valid CSV: %s' % e
    if not rows:
        return 'budgetq printed nothing'
    header, body = rows[0], rows[1:]
    if len(header) == 1:
        # A one-column row holding null is an empty line, which the csv module reads as [].
        body = [r if r else [''] for r in body]
    if header != names:
        return 'header differs: expected %s, got %s' % (names, header)
    expected = [[format_expected(k, v) for k, v in zip(kinds, r)] for r in expected_rows]
    if len(body) != len(expected):
        return 'row count differs: expected %d, got %d' % (len(expected), len(body))
    for r in body:
        if len(r) != len(names):
            return 'row has %d fields, expected %d: %s' % (len(r), len(names), r)
    if not state.total:
        expected = sorted(expected, key=lambda r: sort_key(kinds, r))
        body = sorted(body, key=lambda r: sort_key(kinds, r))
    for i, (e, a) in enumerate(zip(expected, body)):
        for k, n, x, y in zip(kinds, names, e, a):
            if not cell_equal(k, x, y):
                where = 'row %d' % (i + 1) if state.total else 'sorted row %d' % (i + 1)
                return '%s column %s differs: expected %r, got %r (expected row %s, got row %s)' % (
                    where, n, x, y, ','.join(str(v) for v in e), ','.join(a))
    return None


def show_rows(kinds, rows, formatted=False):
    lines = []
    for r in rows[:20]:
        if formatted:
            lines.append('    ' + ','.join(r))
        else:
            lines.append('    ' + ','.join(str(format_expected(k, v)) for k, v in zip(kinds, r)))
    if len(rows) > 20:
        lines.append('    … %d more rows' % (len(rows) - 20))
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description='Differential test of budgetq against SQLite.')
    ap.add_argument('--binary', default=os.path.join('.build', 'debug', 'budgetq'))
    ap.add_argument('--data', default='datasets')
    ap.add_argument('--count', type=int, default=1000, help='how many queries (default 1000)')
    ap.add_argument('--seed', type=int, default=1, help='random seed (default 1); 0 picks one at random')
    ap.add_argument('--verbose', action='store_true', help='print every query and its SQL')
    ap.add_argument('--max-report', type=int, default=50, help='print at most this many mismatches in full')
    ap.add_argument('--no-regressions', action='store_true', help='skip the fixed regression queries')
    ap.add_argument('--no-edge-cases', action='store_true',
                    help='do not add the synthetic edge-case tables to the data snapshot')
    ap.add_argument('--batch', type=int, default=200,
                    help='queries per budgetq process (statements on stdin; default 200; 1 = one process per query)')
    ap.add_argument('--write-edge-cases', metavar='DIR',
                    help='write the edge-case tables into DIR (to reproduce a mismatch by hand) and exit')
    args = ap.parse_args(argv)
    if args.write_edge_cases:
        write_edge_cases(args.write_edge_cases)
        print('differential: wrote %s' % os.path.join(args.write_edge_cases, EDGE_CASES_FILE))
        return 0

    binary = args.binary if os.path.isabs(args.binary) or os.path.exists(args.binary) else os.path.join(root, args.binary)
    data = args.data if os.path.isabs(args.data) or os.path.exists(args.data) else os.path.join(root, args.data)
    if not os.path.exists(binary):
        print('differential: no budgetq binary at %s (build it first)' % binary, file=sys.stderr)
        return 2
    seed = args.seed if args.seed else random.randrange(1, 10 ** 9)
    print('differential: seed %d, %d queries, binary %s, data %s' % (seed, args.count, binary, data))
    sys.stdout.flush()

    # Snapshot the data folder (under its own name, so `source` paths read as usual): budgetq and
    # SQLite must see the same files even if the folder changes during the run.
    workdir = tempfile.mkdtemp(prefix='budgetq-diff-')
    try:
        return run(args, seed, os.path.abspath(binary), data, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, seed, binary, data, workdir):
    name = os.path.basename(os.path.normpath(data)) or 'datasets'
    shutil.copytree(data, os.path.join(workdir, name))
    if not args.no_edge_cases:
        write_edge_cases(os.path.join(workdir, name))
    os.mkdir(os.path.join(workdir, 'export'))
    bq = Budgetq(binary, name, cwd=workdir)
    db, schemas = load_database(bq, os.path.join(workdir, 'export'))
    counts = {t: db.execute('SELECT COUNT(*) FROM %s' % qi(t)).fetchone()[0] for t in schemas}
    print('differential: loaded %s' % ', '.join('%s %d rows' % (t, n) for t, n in counts.items()))
    gen = Generator(db, schemas, random.Random(seed))

    tally = dict(mismatches=0, empty=0, alone=0)
    started = time.time()
    fixed = [] if args.no_regressions else regression_states(gen)[:args.count]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def check(i, state, query, sql, expected, batch_out):
        """Compares one query's output; a batch output that fails (or disagrees) is rerun alone."""
        batch_problem = None
        if batch_out is not None:
            batch_problem = compare_results(state, expected, batch_out)
            if batch_problem is None:
                return None, 0, batch_out, b''
        tally['alone'] += 1
        rc, out, err = bq.query(query)
        if rc != 0:
            lines = err.decode('utf-8', 'replace').strip().splitlines()
            return 'budgetq exited with status %d: %s' % (rc, ' / '.join(lines[:3])), rc, out, err
        problem = compare_results(state, expected, out)
        if problem is None and batch_problem is not None:
            # Alone it agrees: the statements before it in the batch changed its result.
            return 'differs only when run after other statements on stdin: %s' % batch_problem, 0, batch_out, b''
        return problem, rc, out, err

    def report(i, state, query, sql, expected, problem, rc, out, err):
        if args.verbose:
            print('[%d] %s %s' % (i, 'ok  ' if problem is None else 'FAIL', query))
            print('      sql: %s' % sql)
        if problem is None:
            return
        tally['mismatches'] += 1
        if tally['mismatches'] > args.max_report:
            return
        kinds = [c.kind for c in state.cols]
        print('MISMATCH #%d (query %d): %s' % (tally['mismatches'], i, problem))
        print('  budgetq: %s' % query)
        print('  sql:     %s' % sql)
        print('  ordered: %s' % ('yes' if state.total else 'no (compared as multisets)'))
        print('  expected (SQLite):')
        print('    ' + ','.join(state.names()))
        print(show_rows(kinds, expected))
        print('  actual (budgetq):')
        if rc != 0:
            print('    ' + err.decode('utf-8', 'replace').strip().replace('\n', '\n    ')[:2000])
        else:
            try:
                print(show_rows(kinds, parse_csv(out), formatted=True))
            except Exception:
                print('    ' + repr(out[:2000]))
        print()
        sys.stdout.flush()

    def finish(chunk, future):
        outs = future.result() if future is not None else [None] * len(chunk)
        for (i, state, query, sql, expected), out in zip(chunk, outs):
            problem, rc, out, err = check(i, state, query, sql, expected, out)
            report(i, state, query, sql, expected, problem, rc, out, err)

    def submit(chunk):
        todo = [c for c in chunk if batchable(c[2])]
        if args.batch <= 1 or not todo:
            return chunk, None
        future = pool.submit(bq.batch, [c[2] for c in todo])
        # Queries that cannot go on stdin come last, with no batch output (they run alone).
        rest = [c for c in chunk if not batchable(c[2])]

        class Joined:
            def result(self):
                return future.result() + [None] * len(rest)
        return todo + rest, Joined()

    pending = None
    chunk = []
    for i in range(1, args.count + 1):
        state = fixed[i - 1] if i <= len(fixed) else gen.query()
        query = state.query()
        sql = state.final_sql()
        try:
            expected = db.execute(sql).fetchall()
        except sqlite3.Error as e:
            print('differential: internal error: SQLite rejected the reference SQL (%s)\n  query: %s\n  sql:   %s'
                  % (e, query, sql), file=sys.stderr)
            return 2
        sql = gen.with_views(sql)
        gen.drop_views()
        if not expected:
            tally['empty'] += 1
        chunk.append((i, state, query, sql, expected))
        if len(chunk) >= max(1, args.batch) or i == args.count:
            # budgetq runs this chunk while the next one is generated.
            submitted = submit(chunk)
            if pending is not None:
                finish(*pending)
            pending = submitted
            chunk = []
        if args.count >= 20000 and i % 10000 == 0:
            print('differential: %d queries generated, %d mismatches so far, %.0fs' % (
                i, tally['mismatches'], time.time() - started))
            sys.stdout.flush()
    if pending is not None:
        finish(*pending)
    pool.shutdown()
    elapsed = time.time() - started
    print('differential: seed %d, %d queries with empty results, %d run alone, %.1fs' % (
        seed, tally['empty'], tally['alone'], elapsed))
    print('differential: %d queries, %d mismatches' % (args.count, tally['mismatches']))
    return 1 if tally['mismatches'] else 0


if __name__ == '__main__':
    sys.exit(main())
