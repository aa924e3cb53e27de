"""Documents that must fail: each writes dst. The case's layout names the function."""
import os
import shutil
import zlib

import backends
import layout as lay


def _docx(case, work):
    """A real docx of the case's story, to damage or convert."""
    src = os.path.join(work, case.name + "_src.docx")
    backends.DocxWriter(case).write(lay.build(case), src)
    import __main__ as gen
    gen.normalize_zip(src)
    return src


def truncated_zip(case, dst, work):
    """The first 3 KB of a real .docx: a zip with no central directory."""
    data = open(_docx(case, work), "rb").read()
    open(dst, "wb").write(data[:3000])


def flipped_bytes(case, dst, work):
    """A .docx whose document.xml bytes are garbled: the zip's CRC check fails."""
    data = bytearray(open(_docx(case, work), "rb").read())
    i = data.find(b"word/document.xml")
    i = data.find(b"word/document.xml", i)  # local header; compressed data follows
    for j in range(i + 60, i + 260):
        data[j] ^= 0x5A
    open(dst, "wb").write(bytes(data))


def empty_file(case, dst, work):
    open(dst, "wb").close()


def pdf_named_docx(case, dst, work):
    """A PDF that someone renamed to .docx."""
    open(dst, "wb").write(image_pdf())


def legacy_doc(case, dst, work):
    """Word 97-2003 .doc written by LibreOffice from a real referral."""
    import __main__ as gen  # gen.py, run as a script
    out = gen.soffice(_docx(case, work), "doc:MS Word 97", os.path.join(work, "out"))
    shutil.copyfile(out, dst)


def encrypted_no_password(case, dst, work):
    """Agile-encrypted .docx; the password is NOT given to the parser."""
    import __main__ as gen  # gen.py, run as a script
    gen.encrypt(_docx(case, work), dst, "Correct-Horse-7", "agile")


def image_only_pdf(case, dst, work):
    open(dst, "wb").write(image_pdf())


def image_pdf():
    """A one-page PDF whose only content is a grey 'scan' image: no text layer."""
    w, h = 120, 40
    rows = []
    for y in range(h):
        row = bytearray([0])  # PNG-style filter byte is not used: raw Flate image
        row = bytearray()
        for x in range(w):
            ink = (10 < y < 30) and ((x // 6) % 2 == 0) and (x % 13 != 0)
            row.append(30 if ink else 235)
        rows.append(bytes(row))
    img = zlib.compress(b"".join(rows), 9)
    content = b"q 480 0 0 160 60 560 cm /Im1 Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, len(img)) + img + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)
