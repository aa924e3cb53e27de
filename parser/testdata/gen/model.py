"""The vocabulary truth.py is written in: values, inline pieces, cases.

A Val knows two things: what the document shows (its paragraphs of inline
pieces) and what `csprbot parse` must print for it (out()). Every producer renders
the same Val, and expected JSON is computed from the same Val, so the document and
its .json cannot disagree.
"""
import re

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PLACEHOLDER = "Click or tap here to enter text."

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# ---------------------------------------------------------------- inline pieces
class T:
    """Plain text. bold only matters to docx/html/markdown output."""
    def __init__(self, text, bold=False):
        self.text, self.bold = text, bold


class E:
    """An email address; rendered as a mailto hyperlink where the case asks for it."""
    def __init__(self, addr):
        self.addr = addr


class L(E):
    """A mailto hyperlink whose display text is not the address ("Email Chris").
    The reader keeps the address after it, as " <address>"."""
    def __init__(self, addr, display):
        super().__init__(addr)
        self.display = display


class C:
    """A tick box. How it is drawn depends on the case's tick style."""
    def __init__(self, checked):
        self.checked = checked


class Ins:
    """Tracked insertion: appears in the output."""
    def __init__(self, text):
        self.text = text


class Del:
    """Tracked deletion: must NOT appear in the output."""
    def __init__(self, text):
        self.text = text


class PH:
    """Word's 'Click or tap here to enter text.' placeholder: unanswered."""


def inline_text(items, deleted=False, expected=False):
    """The visible text of inline pieces, as a reader of the document sees it;
    expected: as `csprbot parse` prints it (a link showing a name keeps its address)."""
    out = []
    for it in items:
        if isinstance(it, (T, Ins)):
            out.append(it.text)
        elif isinstance(it, L):
            out.append(it.display + (f" <{it.addr}>" if expected else ""))
        elif isinstance(it, E):
            out.append(it.addr)
        elif isinstance(it, Del) and deleted:
            out.append(it.text)
        elif isinstance(it, PH):
            out.append(PLACEHOLDER)
    return "".join(out)


def to_inlines(x):
    """str -> [T]; list of pieces stays; emails inside a str become E pieces."""
    if isinstance(x, str):
        out, pos = [], 0
        for m in EMAIL_RE.finditer(x):
            if m.start() > pos:
                out.append(T(x[pos:m.start()]))
            out.append(E(m.group(0)))
            pos = m.end()
        if pos < len(x):
            out.append(T(x[pos:]))
        return out
    return list(x)


# ---------------------------------------------------------------- dates
def fmt_date(iso, style):
    y, m, d = (int(p) for p in iso.split("-"))
    suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    import datetime
    wd = WEEKDAYS[datetime.date(y, m, d).weekday()]
    return {
        "slash": f"{d:02d}/{m:02d}/{y}",          # 02/04/2019
        "slash1": f"{d}/{m}/{y}",                 # 2/4/2019
        "dot2": f"{d}.{m}.{y % 100:02d}",         # 2.4.19
        "ordinal": f"{d}{suffix} {MONTHS[m - 1]} {y}",  # 2nd April 2019
        "short": f"{d} {MONTHS[m - 1][:3]} {y}",  # 2 Apr 2019
        "long": f"{d} {MONTHS[m - 1]} {y}",       # 2 April 2019
        "iso": iso,                               # 2019-04-02
        "dash": f"{d:02d}-{m:02d}-{y}",           # 02-04-2019
        "weekday": f"{wd} {d} {MONTHS[m - 1]} {y}",  # Tuesday 2 April 2019
        "chron": f"{y}/{m:02d}/{d:02d}",          # 2019/04/02 (chronology only)
        "slash2": f"{d:02d}/{m:02d}/{y % 100:02d}",  # 02/04/19
        # written blind from the appendices (second reader, issue 13):
        "ordabbr": f"{d}{suffix} {MONTHS[m - 1][:3]}{'.' if len(MONTHS[m - 1]) > 3 else ''} {y}",  # 2nd Apr. 2019
        "dot2pad": f"{d:02d}.{m:02d}.{y % 100:02d}",  # 02.04.19
        "usabbr": f"{MONTHS[m - 1][:3]} {d}, {y}",   # Apr 2, 2019
        "dmyabbr": f"{d:02d}-{MONTHS[m - 1][:3]}-{y}",  # 02-Apr-2019 (as case-management systems print it)
    }[style]


# ---------------------------------------------------------------- values
class Val:
    """A field's answer. paras(ctx) -> list of paragraphs (lists of pieces);
    out(key) -> dict of output keys; warn(key) -> expected warnings."""
    def paras(self, ctx):
        raise NotImplementedError

    def out(self, key):
        return {}

    def warn(self, key):
        return []


class Text(Val):
    """Free text, printed as written. Several paragraphs join with "\n".
    written may be pieces (split runs, tracked changes) whose visible text must
    equal the expected value; emails in the text also produce *_email."""
    def __init__(self, *paras, written=None):
        self.text_paras = list(paras)
        self.written = written  # list of paragraphs of pieces, optional

    def paras(self, ctx):
        if self.written is not None:
            return [to_inlines(p) for p in self.written]
        return [to_inlines(p) for p in self.text_paras]

    def expected(self):
        if self.written is not None:
            return "\n".join(inline_text(to_inlines(p), expected=True).strip() for p in self.written)
        return "\n".join(p.strip() for p in self.text_paras)

    def out(self, key):
        v = self.expected()
        o = {key: v}
        m = EMAIL_RE.search(v)
        if m and key != "email" and not key.endswith("_email"):
            o[email_key(key)] = m.group(0)
        return o


def email_key(key):
    """referrer_contact -> referrer_email; a table's contact -> email."""
    if key.endswith("_contact"):
        return key[: -len("_contact")] + "_email"
    return "email"


class Email(Val):
    """A field whose type is Email: the value is the address alone."""
    def __init__(self, written):
        self.written = written

    def paras(self, ctx):
        return [to_inlines(self.written)]

    def out(self, key):
        return {key: EMAIL_RE.search(self.written).group(0)}


class Date(Val):
    """A date. style picks how it is written unless text is given; suffix (a time
    of day, as in the referral's "Date & Time" column) is written after it. The date
    prints alone; time (the suffix's time of day as 24-hour HH:MM) is what a table's date
    cell also prints under `<column>_time` (only table cells: a field's time is not output)."""
    def __init__(self, iso, text=None, style=None, suffix="", time=None):
        self.iso, self.text, self.style, self.suffix, self.time = iso, text, style, suffix, time

    def written(self, ctx):
        if self.text is not None:
            return self.text
        return fmt_date(self.iso, self.style or ctx.datestyle) + self.suffix

    def paras(self, ctx):
        return [[T(self.written(ctx))]]

    def out(self, key):
        if self.time:
            return {key: self.iso, key + "_time": self.time}
        return {key: self.iso}


class BadDate(Val):
    """A date nobody can read: kept as written, with a warning."""
    def __init__(self, text):
        self.text = text

    def paras(self, ctx):
        return [[T(self.text)]]

    def out(self, key):
        return {key: self.text}

    def warn(self, key):
        return [f'{key}: could not read date "{self.text}"']


class YesNo(Val):
    """A yes/no answer. style (or the case's tick style) decides how it is drawn:
    'word' writes text (wording), tick styles draw boxes before Yes and No."""
    def __init__(self, yes, wording=None, style=None):
        self.yes, self.wording, self.style = yes, wording, style

    def paras(self, ctx):
        style = self.style or ctx.yesno
        if style in ("grid", "ballot"):
            return [[]]  # drawn by the layout as its own table rows (layout.kv_block)
        if isinstance(style, tuple):  # ("Y", "N"), ("YES", "NO"), ...
            return [[T(self.wording or (style[0] if self.yes else style[1]))]]
        if style == "word":
            return [[T(self.wording or ("Yes" if self.yes else "No"))]]
        if ctx.tick == "Y":  # a typed Y or N in the answer space
            return [[T("Y" if self.yes else "N")]]
        if ctx.tick == "X":  # retyped boxes: [X] Yes  [ ] No
            a, b = ("X", " ") if self.yes else (" ", "X")
            return [[T(f"[{a}] Yes   [{b}] No")]]
        if ctx.tick in ("✓", "✔"):  # only the chosen answer is marked
            return [[T(("Yes " if self.yes else "No ") + ctx.tick)]]
        return [[C(self.yes), T(" Yes   "), C(not self.yes), T(" No")]]

    def out(self, key):
        return {key: "yes" if self.yes else "no"}


class Ticked(Val):
    """A text question answered only with Yes/No boxes (legal advice in the Rapid
    Review report's Yes/No table): the output is the ticked word."""
    def __init__(self, yes):
        self.yes = yes

    def paras(self, ctx):
        return [[C(self.yes), T(" Yes   "), C(not self.yes), T(" No")]]

    def out(self, key):
        return {key: "Yes" if self.yes else "No"}


class Placeholder(Val):
    """Left as Word's placeholder: the field is absent from the output."""
    def paras(self, ctx):
        return [[PH()]]


class Ignored(Val):
    """Printed on the form but not part of the output (e.g. chronology child's name)."""
    def __init__(self, text):
        self.text = text

    def paras(self, ctx):
        return [to_inlines(self.text)]


class Incident(Val):
    """'Date of Death or Serious Incident (please specify which)'.
    written may hold {d}: the date in the case's date style."""
    def __init__(self, iso, kind, written, style=None):
        self.iso, self.kind, self.written, self.style = iso, kind, written, style

    def paras(self, ctx):
        return [to_inlines(self.written.replace("{d}", fmt_date(self.iso, self.style or ctx.datestyle)))]

    def out(self, key):
        return {"incident_date": self.iso, "incident_kind": self.kind}


class Period(Val):
    """'Dates covered by this Chronology' -> period_from, period_to."""
    def __init__(self, iso_from, iso_to, sep=" to ", style=None):
        self.f, self.t, self.sep, self.style = iso_from, iso_to, sep, style

    def paras(self, ctx):
        st = self.style or ctx.datestyle
        return [[T(fmt_date(self.f, st) + self.sep + fmt_date(self.t, st))]]

    def out(self, key):
        return {"period_from": self.f, "period_to": self.t}


class Choices(Val):
    """A list of tick-box options (criteria of 2.2, recommendation of section 3).
    options: [(key, text)], chosen: keys ticked. extra: (key, text) for 'Please state'.
    out: criteria -> comma list in option order; recommendation -> letter (+ _other)."""
    def __init__(self, options, chosen, other=None):
        self.options, self.chosen, self.other = options, chosen, other

    def rows(self, ctx):
        """[(checked, option text)] for table/paragraph rendering."""
        return [(k in self.chosen, txt) for k, txt in self.options]

    def paras(self, ctx):
        out = []
        for checked, txt in self.rows(ctx):
            out.append(tick_line(ctx, checked, txt))
        if self.other:
            out.append([T("Please state: " + self.other)])
        return out

    def out(self, key):
        chosen = [k for k, _ in self.options if k in self.chosen]
        o = {key: ",".join(chosen)}
        if self.other:
            o[key + "_other"] = self.other
        return o


def tick_line(ctx, checked, txt):
    if ctx.tick in ("✓", "✔", "X", "Y"):
        return [T((ctx.tick + " ") if checked else ""), T(txt)] if checked else [T(txt)]
    return [C(checked), T(" " + txt)]


# ---------------------------------------------------------------- cases
class Row:
    """A table row. group is 'immediate'/'extended' for family_members."""
    def __init__(self, group=None, **cols):
        self.group, self.cols = group, cols


class Case:
    """One fixture: a document of `kind` rendered by `producer` in `layout`.
    fields: [(key, Val)] in the order the form asks them.
    tables: {name: [Row]}. case_ref: the LSCP reference the document carries.
    labels: {key: label} overrides; labelset 0 = official labels, 1.. = variants.
    feats: split (runs), hyperlink, tracked, placeholder..."""
    def __init__(self, name, kind, producer, layout="official", fields=(), tables=None,
                 case_ref="", labels=None, labelset=0, datestyle="slash", yesno="tick",
                 tick="☒", feats=(), body=None, ext=None, password=None, err=None,
                 extra_warnings=(), note="", title=None, encrypt=None, src=None,
                 mailhead=None, sign=(), signoff="Kind regards,"):
        self.name, self.kind, self.producer, self.layout = name, kind, producer, layout
        self.fields = list(fields)
        self.tables = tables or {}
        self.case_ref = case_ref
        self.labels = labels or {}
        self.labelset = labelset
        self.datestyle, self.yesno, self.tick = datestyle, yesno, tick
        self.feats = set(feats)
        self.body = body            # literal text/html body for email fixtures
        self.ext = ext
        self.password = password
        self.err = err
        self.extra_warnings = list(extra_warnings)
        self.note = note
        self.title = title
        self.encrypt = encrypt      # None | 'agile' | 'standard'
        self.src = src              # for conversions: the intermediate
        self.mailhead = mailhead    # a saved/forwarded message's own header lines, above the body
        self.sign = list(sign)      # keys written as the signature under signoff, not as labels
        self.signoff = signoff

    def field(self, key):
        for k, v in self.fields:
            if k == key:
                return v
        return None
