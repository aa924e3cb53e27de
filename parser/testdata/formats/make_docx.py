#!/usr/bin/python3
"""Writes the small source documents the container fixtures are made from.

All names are invented. Run by make.sh; needs Debian's python3-docx.
"""
import sys
from docx import Document

out = sys.argv[1]

doc = Document()
doc.add_heading("Appendix 1: Referral for a Rapid Review", level=1)
doc.add_paragraph("Date of referral: 03/02/2025")
t = doc.add_table(rows=4, cols=2)
rows = [
    ("Child's name", "Alex Example"),
    ("Date of birth", "02/04/2019"),
    ("Referrer email", "referrer@example.org"),
    ("Looked after child", "No"),
]
for i, (k, v) in enumerate(rows):
    t.cell(i, 0).text = k
    t.cell(i, 1).text = v
doc.add_paragraph("Reason for referral: the incident on 1 February 2025.")
doc.save(out)
