"""Turn a Case into an abstract document (blocks), one of four layouts:

official   label|value table cells, long answers in a box under their heading,
           tables with a header row, tick lists as [box | option] tables
paras      'Label: value' paragraphs (a retyped form)
nextline   label on one line, the answer on the next
headerrow  labels in a header row over a row of values (3 to a table)
"""
from model import T, C, Choices, Ignored, Placeholder, YesNo, Ticked, to_inlines, PH
import forms


def numbered(case, label):
    """'3. Label' when the case numbers its questions (feat 'numbered')."""
    if "numbered" not in case.feats or case.layout == "official":
        return label
    case._num = getattr(case, "_num", 0) + 1
    return f"{case._num}. {label}"


class Heading:
    def __init__(self, text, level=1):
        self.text, self.level = text, level


class Para:
    def __init__(self, inlines):
        self.inlines = inlines


class Table:
    """rows: list of Row; a row is ('cells', [cell...]), ('merged', cell) or
    ('shaded', cell): a merged row with a grey background (a section heading).
    A cell is a list of paragraphs, each a list of inline pieces.
    repeat: how many top rows repeat on every page (Word's 'Repeat as header row')."""
    def __init__(self, rows, ncols, header=False):
        self.rows, self.ncols, self.header = rows, ncols, header
        self.repeat = 0


def cell(text_or_inlines):
    return [to_inlines(text_or_inlines)] if text_or_inlines else [[]]


def bold(text):
    return [T(text, bold=True)]


# Layouts a second reader wrote blind from the appendices (issue 13): each is
# another layout's blocks, reshaped the way a person or a tool reshapes them.
#   onetable  the official form retyped as one two-column table: section headings
#             as shaded merged rows, long answers as label | answer rows
#   tsv       'Label: value' header, the entries table pasted as tab-separated lines
TRANSFORMS = {"onetable": "official", "tsv": "paras"}


def build(case):
    if case.layout in TRANSFORMS:
        own = case.layout
        case.layout = TRANSFORMS[own]
        try:
            blocks = _build(case)
        finally:
            case.layout = own
        return globals()["reshape_" + own](case, blocks)
    return _build(case)


def _build(case):
    kind = case.kind
    layout = case.layout
    ctx = case
    out = []
    done = set(case.sign)
    case._num = 0
    case._sec = 0
    for part in forms.STRUCTURE[kind]:
        op = part[0]
        if op == "title":
            out.append(Heading(case.title or (forms.TITLES[kind] if layout == "official" else forms.RETYPED_TITLES[kind]), 0))
            if case.case_ref and kind != "scoping_return":
                out.append(Para([T("Our ref: " + case.case_ref)]))
        elif op == "para":
            if layout == "official":
                out.append(Para([T(part[1])]))
        elif op == "heading":
            out.append(Heading(numhead(case, part[1]) if layout == "numhead" else part[1], 2))
        elif op == "kv":
            caption, keys = part[1], part[2]
            if layout != "official":
                keys = [k for k in keys if k not in done]
                keys = [k for k in keys if case.field(k) is not None]
            keys = [k for k in keys if k not in forms.OPTIONAL_KEYS or case.field(k) is not None]
            keys = [k for k in keys if k not in case.sign]
            done.update(keys)
            if not keys:
                continue
            out.extend(kv_block(case, caption, keys))
        elif op == "long":
            key = part[1]
            if key in case.sign:
                continue
            v = case.field(key)
            if v is None and layout != "official":
                continue
            out.extend(long_block(case, key, v))
        elif op == "table":
            name = part[1]
            rows = case.tables.get(name)
            if rows is None and layout != "official":
                continue
            out.extend(table_block(case, name, rows or []))
        elif op == "choices":
            key = part[1]
            v = case.field(key)
            if v is None:
                continue
            out.extend(choices_block(case, key, v))
    if case.sign:
        # a letter's ending: the sign-off, then name, role and agency, telephone, email
        out.append(Para([T(case.signoff)]))
        for k in case.sign:
            out.extend(Para(p) for p in value_paras(case, case.field(k)))
    return out


def value_paras(case, v):
    if v is None:
        return [[]]
    return v.paras(case)


def kv_block(case, caption, keys):
    kind, layout = case.kind, case.layout
    lab = lambda k: numbered(case, forms.label(kind, k, case))
    if layout == "official":
        out, rows = [], []
        if caption:
            rows.append(("merged", [bold(caption)]))
        for k in keys:
            v = case.field(k)
            style = getattr(v, "style", None) if isinstance(v, YesNo) else None
            if style == "ballot":
                # the question, then a row of Yes and a row of No, each with its box
                rows.append(("merged", [bold(lab(k))]))
                rows.append(("cells", [[[T("Yes")]], [[C(v.yes)]]]))
                rows.append(("cells", [[[T("No")]], [[C(not v.yes)]]]))
            elif style == "grid":
                # its own table: "Question | Yes | No" over "question | X | "
                if rows:
                    out.append(Table(rows, 2))
                    rows = []
                m = case.tick if case.tick in ("Y", "✓", "✔") else "X"
                mark = lambda on: [[T(m)]] if on else [[]]
                out.append(Table([("cells", [[bold("Question")], [bold("Yes")], [bold("No")]]),
                                  ("cells", [[bold(lab(k))], mark(v.yes), mark(not v.yes)])], 3, header=True))
            else:
                rows.append(("cells", [[bold(lab(k))], value_paras(case, v)]))
        if rows:
            out.append(Table(rows, 2))
        return out
    blocks = []
    if caption and layout != "headerrow":
        blocks.append(Heading(short_caption(caption), 3))
    if layout == "paras":
        for k in keys:
            ps = value_paras(case, case.field(k))
            blocks.append(Para(bold(lab(k) + ":") + [T(" ")] + ps[0]))
            blocks.extend(Para(p) for p in ps[1:])
    elif layout == "answer":
        # the printed question, then the reply typed under it after "Answer:"
        for k in keys:
            ps = value_paras(case, case.field(k))
            blocks.append(Para(bold(lab(k))))
            blocks.append(Para([T("Answer: ")] + ps[0]))
            blocks.extend(Para(p) for p in ps[1:])
    elif layout == "numhead":
        # "1. Report details", then "1.1 Label: value", "1.2 …"
        blocks = [Heading(numhead(case, short_caption(caption) if caption else "Report details"), 2)]
        for i, k in enumerate(keys, 1):
            ps = value_paras(case, case.field(k))
            blocks.append(Para(bold(f"{case._sec}.{i} {forms.label(kind, k, case)}:") + [T(" ")] + ps[0]))
            blocks.extend(Para(p) for p in ps[1:])
    elif layout == "qa":
        # "Q: question" then "A: answer"; with feat qa_inline both on one line
        for k in keys:
            ps = value_paras(case, case.field(k))
            if "qa_inline" in case.feats:
                blocks.append(Para([T("Q: " + lab(k) + " A: ")] + ps[0]))
            else:
                blocks.append(Para([T("Q: " + lab(k))]))
                blocks.append(Para([T("A: ")] + ps[0]))
            blocks.extend(Para(p) for p in ps[1:])
    elif layout == "nextline":
        for k in keys:
            blocks.append(Para(bold(lab(k))))
            blocks.extend(Para(p) for p in value_paras(case, case.field(k)))
    elif layout == "headerrow":
        for i in range(0, len(keys), 3):
            chunk = keys[i:i + 3]
            rows = [("cells", [[bold(lab(k))] for k in chunk]),
                    ("cells", [value_paras(case, case.field(k)) for k in chunk])]
            blocks.append(Table(rows, len(chunk), header=True))
    return blocks


def short_caption(caption):
    if caption.startswith("Please give the details of the designated"):
        return "Designated safeguarding lead"
    if caption.startswith("Agency Referral Author"):
        return "Referrer"
    return caption


def long_block(case, key, v):
    lab = numbered(case, forms.label(case.kind, key, case))
    if isinstance(v, Ticked) and case.layout == "official":
        return [Table([("merged", [bold(lab)]), ("cells", [[[T("Yes")]], [[C(v.yes)]]]),
                       ("cells", [[[T("No")]], [[C(not v.yes)]]])], 2)]
    if case.layout in ("official", "headerrow"):
        return [Table([("cells", [[bold(lab)]]), ("cells", [value_paras(case, v)])], 1)]
    if case.layout == "paras":
        return [Para(bold(lab + ":"))] + [Para(p) for p in value_paras(case, v)]
    if case.layout == "answer":
        ps = value_paras(case, v)
        return [Para(bold(lab)), Para([T("Answer: ")] + ps[0])] + [Para(p) for p in ps[1:]]
    if case.layout == "numhead":
        # the question as a numbered Word heading, the answer under it
        return [Heading(numhead(case, forms.label(case.kind, key, case)), 2)] + [Para(p) for p in value_paras(case, v)]
    if case.layout == "qa":
        ps = value_paras(case, v)
        return [Para([T("Q: " + lab)]), Para([T("A: ")] + ps[0])] + [Para(p) for p in ps[1:]]
    return [Para(bold(lab))] + [Para(p) for p in value_paras(case, v)]


GROUP_TITLES = {"immediate": "Immediate Family", "extended": "Extended Family"}


def table_block(case, name, rows):
    kind = case.kind
    caption, cols = forms.TABLES[kind][name]
    keys = [c for c, _ in cols]
    header = ("cells", [[bold(l) for l in forms.col_label(kind, name, c, case).split("\n")]
                        if case.layout == "official" else [bold(forms.col_label(kind, name, c, case).split("\n")[0])]
                        for c in keys])
    # a multi-line official header cell: first line bold, guidance lines plain
    if case.layout == "official":
        header = ("cells", [header_cell(forms.col_label(kind, name, c, case)) for c in keys])
    trs = [header]
    group = None
    for r in rows:
        if r.group and r.group != group and name == "family_members":
            group = r.group
            trs.append(("merged", [bold(GROUP_TITLES[group])]))
        trs.append(("cells", [value_paras(case, r.cols.get(c)) for c in keys]))
    if not rows and case.layout == "official":
        trs.append(("cells", [[[]] for _ in keys]))
    if case.layout == "numhead":
        caption = f"{case._sec}.1 " + caption.lstrip("0123456789. ")
    if "tworowhead" in case.feats:
        # the caption as a merged first row over the column labels; both rows
        # repeat at the top of every page the table runs onto
        t = Table([("merged", [bold(caption)])] + trs, len(keys), header=True)
        t.repeat = 2
        return [t]
    return [Para(bold(caption)), Table(trs, len(keys), header=True)]


def numhead(case, text):
    """The next section number: '3. Summary of involvement' (layout numhead)."""
    case._sec = getattr(case, "_sec", 0) + 1
    text = text.lstrip("0123456789. ")
    if text.isupper():
        text = text[0] + text[1:].lower()
    return f"{case._sec}. {text}"


def reshape_onetable(case, blocks):
    """Official blocks as one two-column table (the other tables stay their own)."""
    out, rows = [], []
    started = False

    def flush():
        if rows:
            out.append(Table(list(rows), 2))
            rows.clear()
    for i, b in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if not started and not (isinstance(b, Heading) and b.level > 0):
            out.append(b)  # the title and "Our ref" above the table
            continue
        started = True
        if isinstance(b, Heading):
            rows.append(("shaded", [bold(b.text)]))
        elif isinstance(b, Para) and isinstance(nxt, Table) and nxt.ncols > 2:
            flush()
            out.append(b)  # a multi-column table's caption stays with it
        elif isinstance(b, Para):
            rows.append(("merged", [b.inlines]))
        elif isinstance(b, Table) and b.ncols == 2:
            rows.extend(b.rows)
        elif isinstance(b, Table) and b.ncols == 1:
            rows.append(("cells", [b.rows[0][1][0], b.rows[1][1][0]]))
        else:
            flush()
            out.append(b)
    flush()
    case._num = 0
    return out


def reshape_tsv(case, blocks):
    """A header of 'Label<TAB>value' lines (a two-column table pasted as text), and
    every multi-column table as tab-separated lines, as Word pastes a spreadsheet."""
    out = []
    for b in blocks:
        if isinstance(b, Para) and len(b.inlines) >= 2 and b.inlines[0].__class__ is T and b.inlines[0].bold \
                and b.inlines[0].text.endswith(":") and b.inlines[1].__class__ is T and b.inlines[1].text == " ":
            out.append(Para([T(b.inlines[0].text[:-1]), T("\t")] + b.inlines[2:]))
        elif isinstance(b, Table) and b.ncols > 2:
            for kind, content in b.rows:
                cells = content if kind == "cells" else [content]
                line = []
                for j, c in enumerate(cells):
                    if j:
                        line.append(T("\t"))
                    first = c[0] if c and c[0] else []
                    line.extend(T(x.text) if x.__class__ is T else x for x in first)
                out.append(Para(line))
        else:
            out.append(b)
    return out


def header_cell(text):
    lines = text.split("\n")
    return [bold(lines[0])] + [[T(l)] for l in lines[1:]]


def choices_block(case, key, v):
    lab = forms.label(case.kind, key, case)
    out = [Para(bold(lab))]
    rows = v.rows(case)
    if case.layout in ("official", "headerrow"):
        trs = []
        for checked, txt in rows:
            trs.append(("cells", [[tick_cell(case, checked)], [[T(txt)]]]))
            if checked and v.other:
                trs.append(("cells", [[[]], [[T("Please state: " + v.other)]]]))
        out.append(Table(trs, 2))
    else:
        from model import tick_line
        for checked, txt in rows:
            out.append(Para(tick_line(case, checked, txt)))
            if checked and v.other:
                out.append(Para([T("Please state: " + v.other)]))
    return out


def tick_cell(case, checked):
    if case.tick in ("✓", "✔", "X", "Y"):
        return [T(case.tick)] if checked else []
    return [C(checked)]
