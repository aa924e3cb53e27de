"""Write abstract blocks (layout.py) as .docx (python-docx, with raw XML for check
boxes, fields, tracked changes, hyperlinks and placeholders), HTML, Markdown or text."""
import html as htmlmod
import itertools

from model import T, E, C, Ins, Del, PH, PLACEHOLDER
from layout import Heading, Para, Table

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
W14_NS = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
FIXED_DATE = "2026-01-05T09:00:00Z"


def glyphs(tick):
    """(checked, unchecked) characters for a tick style."""
    if tick in ("☒", "☑"):
        return tick, "☐"
    if tick in ("sdt", "form"):
        return "☒", "☐"
    return tick, ""


# ---------------------------------------------------------------- docx
class DocxWriter:
    def __init__(self, case):
        import docx
        self.case = case
        self.doc = docx.Document()
        self.ids = itertools.count(1001)
        self.splits = itertools.cycle([3, 5, 2, 7, 4, 6])

    def xml(self, s):
        from docx.oxml import parse_xml
        return parse_xml(s)

    def write(self, blocks, path):
        for b in blocks:
            if isinstance(b, Heading):
                self.doc.add_heading(b.text, min(b.level, 3))
            elif isinstance(b, Para):
                self.inlines(self.doc.add_paragraph(), b.inlines)
            elif isinstance(b, Table):
                self.table(b)
        self.doc.save(path)

    def table(self, t):
        tbl = self.doc.add_table(rows=len(t.rows), cols=t.ncols)
        if "noborders" not in self.case.feats:
            tbl.style = "Table Grid"  # else python-docx's default: a table with no borders drawn
        for i, (kind, content) in enumerate(t.rows):
            row = tbl.rows[i]
            if kind == "merged":
                c = row.cells[0]
                if t.ncols > 1:
                    c = row.cells[0].merge(row.cells[-1])
                self.cell(c, content)
            else:
                for j, paras in enumerate(content):
                    self.cell(row.cells[j], paras)
        self.doc.add_paragraph()

    def cell(self, c, paras):
        first = True
        for p in paras:
            para = c.paragraphs[0] if first else c.add_paragraph()
            first = False
            self.inlines(para, p)

    def inlines(self, para, items):
        feats = self.case.feats
        for it in items:
            if isinstance(it, T):
                if "split" in feats and len(it.text) > 4:
                    self.split_runs(para, it)
                else:
                    r = para.add_run(it.text)
                    r.bold = it.bold or None
            elif isinstance(it, E):
                if "hyperlink" in feats or hasattr(it, "display"):
                    self.hyperlink(para, it.addr, getattr(it, "display", it.addr))
                else:
                    para.add_run(it.addr)
            elif isinstance(it, C):
                self.checkbox(para, it.checked)
            elif isinstance(it, Ins):
                para._p.append(self.xml(
                    f'<w:ins {W_NS} w:id="{next(self.ids)}" w:author="Reviewer" w:date="{FIXED_DATE}">'
                    f'<w:r><w:t xml:space="preserve">{esc(it.text)}</w:t></w:r></w:ins>'))
            elif isinstance(it, Del):
                para._p.append(self.xml(
                    f'<w:del {W_NS} w:id="{next(self.ids)}" w:author="Reviewer" w:date="{FIXED_DATE}">'
                    f'<w:r><w:delText xml:space="preserve">{esc(it.text)}</w:delText></w:r></w:del>'))
            elif isinstance(it, PH):
                para._p.append(self.xml(
                    f'<w:sdt {W_NS}><w:sdtPr><w:id w:val="{next(self.ids)}"/>'
                    '<w:placeholder><w:docPart w:val="DefaultPlaceholder_-1854013440"/></w:placeholder>'
                    '<w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/>'
                    f'</w:rPr><w:t>{PLACEHOLDER}</w:t></w:r></w:sdtContent></w:sdt>'))

    def split_runs(self, para, it):
        """Several runs for one piece of text, with Word's noise between them."""
        text, pos, n = it.text, 0, 0
        while pos < len(text):
            k = next(self.splits)
            piece = text[pos:pos + k]
            pos += k
            r = para.add_run(piece)
            r.bold = it.bold or None
            if n % 2 == 1:
                r.italic = False  # an explicit (no-op) property, as Word leaves behind
            if n == 1:
                para._p.append(self.xml(f'<w:proofErr {W_NS} w:type="spellStart"/>'))
            if n == 2:
                i = next(self.ids)
                para._p.append(self.xml(f'<w:bookmarkStart {W_NS} w:id="{i}" w:name="_GoBack"/>'))
                para._p.append(self.xml(f'<w:bookmarkEnd {W_NS} w:id="{i}"/>'))
            n += 1

    def hyperlink(self, para, addr, display=None):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        rid = para.part.relate_to("mailto:" + addr, RT.HYPERLINK, is_external=True)
        para._p.append(self.xml(
            f'<w:hyperlink {W_NS} {R_NS} r:id="{rid}" w:history="1"><w:r><w:rPr>'
            f'<w:rStyle w:val="Hyperlink"/><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>'
            f'<w:t xml:space="preserve">{esc(display or addr)}</w:t></w:r></w:hyperlink>'))

    def checkbox(self, para, checked):
        tick = self.case.tick
        on, off = glyphs(tick)
        if tick == "sdt":
            g = on if checked else off
            para._p.append(self.xml(
                f'<w:sdt {W_NS} {W14_NS}><w:sdtPr><w:id w:val="{next(self.ids)}"/>'
                f'<w14:checkbox><w14:checked w14:val="{1 if checked else 0}"/>'
                '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
                '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
                '<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" '
                f'w:hAnsi="MS Gothic" w:hint="eastAsia"/></w:rPr><w:t>{g}</w:t></w:r></w:sdtContent></w:sdt>'))
        elif tick == "form":
            n = next(self.ids)
            state = '<w:default w:val="0"/><w:checked/>' if checked else '<w:default w:val="0"/>'
            for x in (
                f'<w:r {W_NS}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check{n}"/>'
                f'<w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/>{state}</w:checkBox>'
                '</w:ffData></w:fldChar></w:r>',
                f'<w:r {W_NS}><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>',
                f'<w:r {W_NS}><w:fldChar w:fldCharType="end"/></w:r>',
            ):
                para._p.append(self.xml(x))
        else:
            g = on if checked else off
            if g:
                para.add_run(g)


def esc(s):
    return htmlmod.escape(s, quote=False)


# ---------------------------------------------------------------- HTML
def html_doc(case, blocks, title="Form"):
    global INPUT_IDS
    INPUT_IDS = itertools.count(1)
    out = ['<!DOCTYPE html>', '<html><head><meta charset="utf-8">',
           f'<title>{esc(title)}</title></head><body>']
    if case.mailhead:
        out.append("<p>" + "<br>".join(esc(l) for l in case.mailhead) + "</p><hr>")
    for b in blocks:
        if isinstance(b, Heading):
            lv = max(1, min(b.level + 1, 4))
            out.append(f"<h{lv}>{esc(b.text)}</h{lv}>")
        elif isinstance(b, Para):
            out.append(f"<p>{html_inlines(case, b.inlines)}</p>")
        elif isinstance(b, Table):
            out.append('<table border="1" cellpadding="4">')
            for i, (kind, content) in enumerate(b.rows):
                tag = "th" if (b.header and i == 0) else "td"
                if kind == "merged":
                    out.append(f'<tr><td colspan="{b.ncols}">{html_cell(case, content)}</td></tr>')
                else:
                    out.append("<tr>" + "".join(f"<{tag}>{html_cell(case, c)}</{tag}>" for c in content) + "</tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


INPUT_IDS = itertools.count(1)


def html_cell(case, paras):
    paras = [p for p in paras]
    if len(paras) == 1:
        return html_inlines(case, paras[0])
    return "".join(f"<p>{html_inlines(case, p)}</p>" for p in paras)


def html_inlines(case, items):
    on, off = glyphs(case.tick)
    s = []
    for it in items:
        if isinstance(it, T):
            s.append(f"<b>{esc(it.text)}</b>" if it.bold else esc(it.text))
        elif isinstance(it, E):
            if "hyperlink" in case.feats or hasattr(it, "display"):
                s.append(f'<a href="mailto:{it.addr}">{esc(getattr(it, "display", it.addr))}</a>')
            else:
                s.append(esc(it.addr))
        elif isinstance(it, C) and case.tick == "input":
            # an HTML form's check box, named as form builders name them
            s.append(f'<input type="checkbox" name="box{next(INPUT_IDS)}_checked" value="1"'
                     f'{" checked" if it.checked else ""}>')
        elif isinstance(it, C):
            s.append(on if it.checked else (off or ""))
        elif isinstance(it, Ins):
            s.append(esc(it.text))
        elif isinstance(it, PH):
            s.append(PLACEHOLDER)
    return "".join(s)


# ---------------------------------------------------------------- Markdown (pandoc)
MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>#|$~^"})


def md_doc(case, blocks):
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * max(1, min(b.level + 1, 4)) + " " + md_text(b.text))
        elif isinstance(b, Para):
            out.append(md_inlines(case, b.inlines))
        elif isinstance(b, Table):
            lines = []
            rows = b.rows
            if not b.header:  # pipe tables need a header row: use an empty one
                lines.append("|" + "|".join(["   "] * b.ncols) + "|")
            for i, (kind, content) in enumerate(rows):
                if kind == "merged":
                    cells = [md_cell(case, content)] + [""] * (b.ncols - 1)
                else:
                    cells = [md_cell(case, c) for c in content]
                lines.append("| " + " | ".join(cells) + " |")
                if i == 0 and b.header:
                    lines.append("|" + "|".join(["---"] * b.ncols) + "|")
            if not b.header:
                lines.insert(1, "|" + "|".join(["---"] * b.ncols) + "|")
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def md_cell(case, paras):
    ps = [p for p in paras if p]
    if len(ps) > 1:
        raise ValueError("markdown pipe tables cannot hold several paragraphs in a cell")
    return md_inlines(case, ps[0]) if ps else ""


def md_text(s):
    s = s.translate(MD_SPECIAL)
    if s[:1].isdigit():  # "1. foo" would become a list
        s = s.replace(".", "\\.", 1)
    return s


def md_inlines(case, items):
    on, off = glyphs(case.tick)
    s = []
    for it in items:
        if isinstance(it, T):
            t = md_text(it.text)
            if it.bold and t.strip():
                lead = t[: len(t) - len(t.lstrip())]
                trail = t[len(t.rstrip()):]
                t = f"{lead}**{t.strip()}**{trail}"
            s.append(t)
        elif isinstance(it, E) and hasattr(it, "display"):
            s.append(f"[{md_text(it.display)}](mailto:{it.addr})")
        elif isinstance(it, E):
            s.append(f"<{it.addr}>" if "hyperlink" in case.feats else md_text(it.addr))
        elif isinstance(it, C):
            s.append(on if it.checked else off)
        elif isinstance(it, Ins):
            s.append(md_text(it.text))
        elif isinstance(it, PH):
            s.append(md_text(PLACEHOLDER))
    return "".join(s)


# ---------------------------------------------------------------- plain text
def txt_doc(case, blocks):
    out = list(case.mailhead or [])
    if out:
        out.append("")
    on, off = glyphs(case.tick)
    for b in blocks:
        if isinstance(b, Heading):
            out.append(b.text.upper() if b.level == 0 else b.text)
        elif isinstance(b, Para):
            out.append(txt_inlines(case, b.inlines))
        elif isinstance(b, Table):
            raise ValueError("plain text fixtures carry no tables")
    return "\n".join(out) + "\n"


def txt_inlines(case, items):
    on, off = glyphs(case.tick)
    s = []
    for it in items:
        if isinstance(it, (T, Ins)):
            s.append(it.text)
        elif isinstance(it, E):
            s.append(getattr(it, "display", it.addr))
        elif isinstance(it, C):
            s.append(on if it.checked else off)
        elif isinstance(it, PH):
            s.append(PLACEHOLDER)
    return "".join(s)
