#!/usr/bin/python3
"""Rebuild parser/testdata from truth.py. Run through make.sh.

usage: gen.py OUTDIR [NAME...]   (names limit the run to those fixtures)

For each case in truth.CASES it renders the document with the case's producer,
writes NAME.json (the exact `csprbot parse` line), NAME.err or NAME.password, then
checks the written file independently: every answer the .json promises must be
readable in the file's text, and no tracked deletion may be."""
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forms  # noqa: E402
import layout  # noqa: E402
import backends  # noqa: E402
import truth  # noqa: E402
import broken  # noqa: E402
from model import (Val, Text, Date, YesNo, Placeholder, Ignored, Choices,  # noqa: E402
                   inline_text, Del, T, E, Ins)

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_PATH = os.environ.get("OFFICECRYPTO_NODE_MODULES", "/tmp/octool/node_modules")
ZIP_DATE = (2026, 1, 5, 9, 0, 0)


# ---------------------------------------------------------------- expected output
def go_json(obj):
    """json.Marshal's bytes: compact, maps sorted, <>& and U+2028/9 escaped."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(a, b)
    return s


def sort_map(m):
    return {k: m[k] for k in sorted(m)}


def expected(case, fname):
    fields, tables, warnings = {}, {}, []
    if case.kind != "unknown":
        skip = forms.NOT_OUTPUT.get(case.kind, set())
        for key, v in case.fields:
            if key in skip or isinstance(v, (Placeholder, Ignored)):
                continue
            for k, x in v.out(key).items():
                if x == "":
                    raise ValueError(f"{case.name}: {k} expected empty; leave it out instead")
                fields[k] = x
            warnings += v.warn(key)
        for name, rows in case.tables.items():
            out = []
            for r in rows:
                o = {}
                for col, v in r.cols.items():
                    if isinstance(v, (Placeholder, Ignored)):
                        continue
                    o.update(v.out(col))
                    warnings += v.warn(f"{name}.{col}")
                if r.group:
                    o["group"] = r.group
                if o:
                    out.append(sort_map(o))
            if out:
                tables[name] = out
    if case.kind == "scoping_return" and case.case_ref:
        if fields.get("case_ref", case.case_ref) != case.case_ref:
            raise ValueError(f"{case.name}: case_ref field and document reference differ")
        fields["case_ref"] = case.case_ref
    warnings += case.extra_warnings
    obj = {"file": fname, "kind": case.kind, "case_ref": case.case_ref,
           "fields": sort_map(fields), "tables": sort_map(tables), "warnings": warnings}
    return go_json(obj)


# ---------------------------------------------------------------- producers
def soffice(src, fmt, outdir, infilter=None):
    prof = os.path.join(TMP, "lo-profile")
    cmd = ["soffice", f"-env:UserInstallation=file://{prof}", "--headless", "--norestore"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", fmt, "--outdir", outdir, src]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    base = os.path.splitext(os.path.basename(src))[0]
    ext = fmt.split(":")[0]
    out = os.path.join(outdir, base + "." + ext)
    if not os.path.exists(out):
        raise RuntimeError(f"soffice made no {out}")
    return out


LO_FILTERS = {"docx": 'docx:MS Word 2007 XML', "odt": "odt", "pdf": "pdf:writer_pdf_Export",
              "doc": "doc:MS Word 97"}


def normalize_zip(path):
    """Rewrite a zip with fixed timestamps so reruns give the same bytes
    (LibreOffice still stamps its own metadata inside)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info, data in items:
            ni = zipfile.ZipInfo(info.filename, ZIP_DATE)
            ni.compress_type = info.compress_type
            ni.external_attr = 0o644 << 16
            z.writestr(ni, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def produce(case, outdir):
    ext = case.ext
    dst = os.path.join(outdir, f"{case.name}.{ext}")
    work = tempfile.mkdtemp(dir=TMP)
    p = case.producer
    if p == "broken":
        getattr(broken, case.layout)(case, dst, work)
        return dst
    blocks = layout.build(case) if case.body is None else None
    if p == "python-docx":
        backends.DocxWriter(case).write(blocks, dst)
        normalize_zip(dst)
    elif p == "officecrypto":
        src = os.path.join(work, case.name + ".docx")
        backends.DocxWriter(case).write(blocks, src)
        normalize_zip(src)
        encrypt(src, dst, case.password or case.src, case.encrypt)
    elif p in ("lo-html", "lo-docx"):
        if p == "lo-html":
            src = os.path.join(work, case.name + ".html")
            with open(src, "w", encoding="utf-8") as f:
                f.write(case.body if case.body is not None else backends.html_doc(case, blocks, title=case.name))
            out = soffice(src, LO_FILTERS[ext], work, infilter="HTML (StarWriter)")
        else:
            src = os.path.join(work, case.name + ".docx")
            backends.DocxWriter(case).write(blocks, src)
            out = soffice(src, LO_FILTERS[ext], os.path.join(work, "out"))
        shutil.copyfile(out, dst)
        if ext in ("docx", "odt"):
            normalize_zip(dst)
    elif p == "pandoc":
        src = os.path.join(work, case.name + ".md")
        with open(src, "w", encoding="utf-8") as f:
            f.write(case.body if case.body is not None else backends.md_doc(case, blocks))
        env = dict(os.environ, SOURCE_DATE_EPOCH="1767603600")
        subprocess.run(["pandoc", "-f", "markdown-smart", "-t", ext, "-o", dst, src],
                       check=True, env=env)
        normalize_zip(dst)
    elif p == "pandoc-html":  # a Google Docs web-page export, converted by pandoc
        src = os.path.join(work, case.name + ".html")
        with open(src, "w", encoding="utf-8") as f:
            f.write(case.body if case.body is not None else backends.gdocs_html(case, blocks))
        env = dict(os.environ, SOURCE_DATE_EPOCH="1767603600")
        subprocess.run(["pandoc", "-f", "html", "-t", ext, "-o", dst, src], check=True, env=env)
        normalize_zip(dst)
    elif p == "html-body":
        text = case.body if case.body is not None else backends.html_doc(case, blocks, title="Re: scoping")
        with open(dst, "w", encoding="utf-8") as f:
            f.write(text)
    elif p == "txt-body":
        text = case.body if case.body is not None else backends.txt_doc(case, blocks)
        with open(dst, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        raise ValueError(f"{case.name}: unknown producer {p}")
    shutil.rmtree(work, ignore_errors=True)
    return dst


def encrypt(src, dst, password, kind):
    script = ("const oc=require('officecrypto-tool');const fs=require('fs');"
              "const [src,dst,pw,type]=process.argv.slice(1);"
              "const opts={password:pw};if(type==='standard')opts.type='standard';"
              "fs.writeFileSync(dst,oc.encrypt(fs.readFileSync(src),opts));")
    env = dict(os.environ, NODE_PATH=NODE_PATH)
    subprocess.run(["node", "-e", script, src, dst, password, kind or "agile"], check=True, env=env)


# ---------------------------------------------------------------- independent check
def doc_text(path, password=None):
    ext = path.rsplit(".", 1)[1]
    if ext == "docx":
        data = open(path, "rb").read()
        if data[:4] != b"PK\x03\x04":
            return None  # encrypted: checked through its plain twin before encryption
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        xml = re.sub(r"<w:delText[^>]*>.*?</w:delText>", "", xml, flags=re.S)
        xml = re.sub(r"<w:instrText[^>]*>.*?</w:instrText>", "", xml, flags=re.S)
        xml = re.sub(r"</w:p>|</w:tc>", " \n", xml)
        xml = re.sub(r"<w:tab/>", " ", xml)
        return unxml(xml)
    if ext == "odt":
        with zipfile.ZipFile(path) as z:
            xml = z.read("content.xml").decode("utf-8")
        xml = re.sub(r"</text:p>|</text:h>", " \n", xml)
        return unxml(xml)
    if ext == "pdf":
        return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
    text = open(path, encoding="utf-8").read()
    if ext == "html":
        import html
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def unxml(xml):
    import html
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def decrypt(path, password):
    """Decrypt with officecrypto-tool to a temporary file, to check the content."""
    out = os.path.join(TMP, "dec-" + os.path.basename(path))
    script = ("const oc=require('officecrypto-tool');const fs=require('fs');"
              "const [src,dst,pw]=process.argv.slice(1);"
              "oc.decrypt(fs.readFileSync(src),{password:pw}).then(b=>fs.writeFileSync(dst,b));")
    subprocess.run(["node", "-e", script, path, out, password], check=True,
                   env=dict(os.environ, NODE_PATH=NODE_PATH))
    return out


def check(case, path):
    text = doc_text(path)
    if text is None and case.password:
        text = doc_text(decrypt(path, case.password))
    if text is None:
        return ["could not read the document back"]
    doc = norm(strip_glyphs(text))
    problems = []
    want = []
    for key, v in case.fields:
        want += written_strings(case, v)
    for rows in case.tables.values():
        for r in rows:
            for v in r.cols.values():
                want += written_strings(case, v)
    for w in want:
        if norm(strip_glyphs(w)) in doc:
            continue
        if path.endswith(".pdf") and all(t in re.sub(r"\s+", "", doc) for t in re.findall(r"\w+", strip_glyphs(w))):
            continue  # a PDF's table cells wrap and interleave in the text layer (pdftotext
            # joins "nhs-" + "fictional", breaks "fictionshir" "e"): every word is there
        problems.append(f"missing {w!r}")
    for key, v in case.fields:
        for p in getattr(v, "written", None) or [] if isinstance(v, Text) else []:
            for it in p if isinstance(p, list) else []:
                if isinstance(it, Del) and norm(it.text) in doc:
                    problems.append(f"deleted text visible: {it.text!r}")
    return problems


def strip_glyphs(s):
    return re.sub(r"[☒☐☑]|\(x\)|\( \)", " ", s)


def written_strings(case, v):
    if isinstance(v, (Placeholder,)) or v is None:
        return []
    if isinstance(v, Choices):
        return [txt for checked, txt in v.rows(case) if checked]
    out = []
    for p in v.paras(case):
        t = inline_text(p)
        t = t.replace("☒", "").replace("☐", "").replace("☑", "").strip()
        if t:
            out.append(t)
    return out


# ---------------------------------------------------------------- main
def main():
    global TMP
    outdir = sys.argv[1]
    only = set(sys.argv[2:])
    TMP = tempfile.mkdtemp(prefix="csprbot-fixtures-")
    cases = truth.CASES
    names = [c.name for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit(f"duplicate fixture names: {sorted(dup)}")
    if not only:
        for f in os.listdir(outdir):  # the top level is ours; formats/, unit/, gen/ are not touched
            p = os.path.join(outdir, f)
            if os.path.isfile(p) and f != "README.md":
                os.remove(p)
    failed = 0
    manifest = []
    for case in cases:
        if only and case.name not in only:
            continue
        path = produce(case, outdir)
        fname = os.path.basename(path)
        if case.err:
            write(os.path.join(outdir, case.name + ".err"), case.err + "\n")
        else:
            write(os.path.join(outdir, case.name + ".json"), expected(case, fname) + "\n")
        if case.password and not case.err:
            write(os.path.join(outdir, case.name + ".password"), case.password + "\n")
        problems = [] if case.err or case.producer == "broken" or case.body is not None else check(case, path)
        for pr in problems:
            print(f"{fname}: {pr}", file=sys.stderr)
            failed += 1
        manifest.append((fname, case))
    write_manifest(outdir, manifest, partial=bool(only))
    shutil.rmtree(TMP, ignore_errors=True)
    print(f"{len(manifest)} fixtures written to {outdir}; {failed} problems")
    sys.exit(1 if failed else 0)


def write(path, s):
    with open(path, "w", encoding="utf-8") as f:
        f.write(s)


PRODUCER_NAMES = {
    "python-docx": "python-docx (Debian python3-docx), raw XML where python-docx has no API",
    "lo-html": "LibreOffice Writer (soffice --convert-to) from generated HTML",
    "lo-docx": "LibreOffice Writer (soffice --convert-to) from a python-docx document",
    "pandoc": "pandoc from generated Markdown",
    "pandoc-html": "pandoc from a generated Google Docs web-page (.html) export",
    "officecrypto": "python-docx, then encrypted by npm officecrypto-tool 0.0.19",
    "html-body": "HTML email body written by the generator",
    "txt-body": "plain-text email body written by the generator",
    "broken": "deliberately unreadable (see gen/broken.py)",
}


def write_manifest(outdir, manifest, partial):
    if partial:
        return
    lines = ["| file | kind | producer | layout | what it exercises |", "|---|---|---|---|---|"]
    for fname, c in manifest:
        kind = "error" if c.err else c.kind
        feats = ", ".join(sorted(c.feats))
        what = "; ".join(x for x in (c.note, feats, f"ticks {c.tick}" if c.tick != "☒" else "",
                                     f"dates {c.datestyle}" if c.datestyle != "slash" else "") if x)
        lines.append(f"| {fname} | {kind} | {c.producer} | {c.layout if c.body is None else 'literal body'} | {what} |")
    readme = os.path.join(outdir, "README.md")
    head = open(os.path.join(HERE, "README.head.md"), encoding="utf-8").read()
    write(readme, head + "\n".join(lines) + "\n")


if __name__ == "__main__":
    try:
        main()
    finally:
        if "TMP" in globals():
            shutil.rmtree(TMP, ignore_errors=True)
