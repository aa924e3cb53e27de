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
    if tick in ("sdt", "form", "sym"):
        return "☒", "☐"
    if tick == "(x)":  # a retyped template's brackets, an x typed into the chosen one
        return "(x)", "( )"
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
        if "pageheader" in self.case.feats:
            self.page_header()
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
            if i < getattr(t, "repeat", 0):
                row._tr.get_or_add_trPr().append(self.xml(f'<w:tblHeader {W_NS}/>'))
            if kind in ("merged", "shaded"):
                c = row.cells[0]
                if t.ncols > 1:
                    c = row.cells[0].merge(row.cells[-1])
                if kind == "shaded":
                    c._tc.get_or_add_tcPr().append(self.xml(
                        f'<w:shd {W_NS} w:val="clear" w:color="auto" w:fill="D9D9D9"/>'))
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
            if "formtext" in self.case.feats and p and all(
                    (isinstance(it, T) and not it.bold) or isinstance(it, E) for it in p):
                self.formtext(para, p)
            else:
                self.inlines(para, p)

    def formtext(self, para, items):
        """The answer as the result of a legacy FORMTEXT field (Word 97-2003 forms):
        begin / instrText / separate / the typed runs / end, in a bookmark."""
        n = next(self.ids)
        para._p.append(self.xml(f'<w:bookmarkStart {W_NS} w:id="{n}" w:name="Text{n}"/>'))
        for x in (f'<w:r {W_NS}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text{n}"/><w:enabled/>'
                  '<w:calcOnExit w:val="0"/><w:textInput/></w:ffData></w:fldChar></w:r>',
                  f'<w:r {W_NS}><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>',
                  f'<w:r {W_NS}><w:fldChar w:fldCharType="separate"/></w:r>'):
            para._p.append(self.xml(x))
        for it in items:
            text = it.text if isinstance(it, T) else it.addr
            para._p.append(self.xml(f'<w:r {W_NS}><w:rPr><w:noProof/></w:rPr>'
                                    f'<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'))
        para._p.append(self.xml(f'<w:r {W_NS}><w:fldChar w:fldCharType="end"/></w:r>'))
        para._p.append(self.xml(f'<w:bookmarkEnd {W_NS} w:id="{n}"/>'))

    def inlines(self, para, items):
        feats = self.case.feats
        for it in items:
            if isinstance(it, T):
                if "boldsplit" in feats and it.bold and len(it.text) > 4:
                    self.bold_split(para, it)
                elif "split" in feats and len(it.text) > 4:
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

    def bold_split(self, para, it):
        """A bold label as Word leaves it after a retype: cut mid-word into runs
        that differ in size, font or language, its colon a plain run of its own."""
        text, colon = it.text, ""
        if text.endswith(":"):
            text, colon = text[:-1], ":"
        a, b = max(1, len(text) // 3), max(2, 2 * len(text) // 3)
        props = ['<w:b/>', '<w:b/><w:sz w:val="21"/><w:szCs w:val="21"/>',
                 '<w:rFonts w:ascii="Arial" w:hAnsi="Arial"/><w:b/><w:bCs/><w:lang w:val="en-US"/>']
        for piece, rpr in zip((text[:a], text[a:b], text[b:]), props):
            if piece:
                para._p.append(self.xml(f'<w:r {W_NS}><w:rPr>{rpr}</w:rPr>'
                                        f'<w:t xml:space="preserve">{esc(piece)}</w:t></w:r>'))
        if colon:
            para.add_run(colon)

    def page_header(self):
        """A two-row table in the page header, printed at the top of every page."""
        from docx.shared import Cm
        import forms
        case = self.case
        hdr = self.doc.sections[0].header
        tbl = hdr.add_table(rows=2, cols=2, width=Cm(16))
        tbl.style = "Table Grid"
        cells = [("Lewisham Safeguarding Children Partnership", "OFFICIAL – SENSITIVE"),
                 ("Rapid Review: Initial Scoping and Information Sharing" if case.kind == "scoping_return"
                  else forms.RETYPED_TITLES[case.kind], f"Our ref: {case.case_ref}  Page ")]
        for r, (a, b) in enumerate(cells):
            tbl.rows[r].cells[0].paragraphs[0].add_run(a).bold = True
            p = tbl.rows[r].cells[1].paragraphs[0]
            p.add_run(b)
            if r == 1:
                p._p.append(self.xml(f'<w:fldSimple {W_NS} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))

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
        elif tick == "sym":
            # Insert > Symbol: a Wingdings box with an x, or an empty one (no text in the run)
            para._p.append(self.xml(f'<w:r {W_NS}><w:sym w:font="Wingdings" w:char="{"F0FE" if checked else "F0A8"}"/></w:r>'))
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
                if kind in ("merged", "shaded"):
                    bg = ' style="background:#d9d9d9"' if kind == "shaded" else ""
                    out.append(f'<tr><td colspan="{b.ncols}"{bg}>{html_cell(case, content)}</td></tr>')
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


# ---------------------------------------------------------------- Google Docs HTML
GD_STYLE = ("ol{margin:0;padding:0}table td,table th{padding:0}"
            ".c0{color:#000000;font-weight:400;text-decoration:none;vertical-align:baseline;font-size:11pt;font-family:\"Arial\";font-style:normal}"
            ".c1{padding-top:0pt;padding-bottom:0pt;line-height:1.15;orphans:2;widows:2;text-align:left;height:11pt}"
            ".c2{padding-top:0pt;padding-bottom:0pt;line-height:1.15;orphans:2;widows:2;text-align:left}"
            ".c3{border-right-style:solid;padding:5pt 5pt 5pt 5pt;border-bottom-color:#000000;border-top-width:1pt;"
            "border-right-width:1pt;border-left-color:#000000;vertical-align:top;border-right-color:#000000;"
            "border-left-width:1pt;border-top-style:solid;border-left-style:solid;border-bottom-width:1pt;border-top-color:#000000;border-bottom-style:solid}"
            ".c4{color:#000000;font-weight:700;text-decoration:none;vertical-align:baseline;font-size:11pt;font-family:\"Arial\";font-style:normal}"
            ".c5{border-spacing:0;border-collapse:collapse;margin-right:auto}.c6{height:0pt}"
            ".c7{background-color:#ffffff;max-width:451.4pt;padding:72pt 72pt 72pt 72pt}"
            ".title{padding-top:0pt;color:#000000;font-size:26pt;padding-bottom:3pt;font-family:\"Arial\";line-height:1.15;page-break-after:avoid;orphans:2;widows:2;text-align:left}"
            "h2{padding-top:18pt;color:#000000;font-size:16pt;padding-bottom:6pt;font-family:\"Arial\";line-height:1.15;page-break-after:avoid;orphans:2;widows:2;text-align:left}")


def gdocs_html(case, blocks):
    """What File > Download > Web page (.html) gives from Google Docs: every run a
    span whose class carries its weight (no <b>), empty spacer paragraphs, tables
    with an anchor before them and colspan/rowspan on every cell."""
    ids = itertools.count(1)
    out = ['<html><head><meta content="text/html; charset=UTF-8" http-equiv="content-type">'
           f'<style type="text/css">{GD_STYLE}</style></head><body class="c7 doc-content">']
    gap = '<p class="c2 c1"><span class="c0"></span></p>'
    for b in blocks:
        if isinstance(b, Heading):
            if b.level == 0:
                out.append(f'<p class="c2 title" id="h.{next(ids):x}gd"><span class="c4">{esc(b.text)}</span></p>')
            else:
                out.append(f'<h2 class="c2" id="h.{next(ids):x}gd"><span class="c4">{esc(b.text)}</span></h2>')
        elif isinstance(b, Para):
            out.append(f'<p class="c2">{gd_inlines(case, b.inlines)}</p>')
        elif isinstance(b, Table):
            n = next(ids)
            out.append(f'<a id="t.{n:x}0ab{n}"></a><a id="t.{n - 1}"></a><table class="c5">')
            for kind, content in b.rows:
                out.append('<tr class="c6">')
                if kind in ("merged", "shaded"):
                    out.append(f'<td class="c3" colspan="{b.ncols}" rowspan="1">{gd_cell(case, content)}</td>')
                else:
                    out.extend(f'<td class="c3" colspan="1" rowspan="1">{gd_cell(case, c)}</td>' for c in content)
                out.append('</tr>')
            out.append('</table>')
        out.append(gap)
    out.append('</body></html>')
    return "".join(out)


def gd_cell(case, paras):
    return "".join(f'<p class="c2">{gd_inlines(case, p)}</p>' if p else '<p class="c2 c1"><span class="c0"></span></p>'
                   for p in paras)


def gd_inlines(case, items):
    on, off = glyphs(case.tick)
    s = []
    for it in items:
        if isinstance(it, (T, Ins)):
            cls = "c4" if getattr(it, "bold", False) else "c0"
            s.append(f'<span class="{cls}">{esc(it.text).replace("  ", " &nbsp;")}</span>')
        elif isinstance(it, E):
            s.append(f'<span class="c0"><a href="mailto:{it.addr}">{esc(getattr(it, "display", it.addr))}</a></span>')
        elif isinstance(it, C):
            g = on if it.checked else off
            if g:
                s.append(f'<span class="c0">{g}</span>')
        elif isinstance(it, PH):
            s.append(f'<span class="c0">{PLACEHOLDER}</span>')
    return "".join(s) or '<span class="c0"></span>'


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
                if kind in ("merged", "shaded"):
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
