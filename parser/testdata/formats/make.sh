#!/bin/sh
# Rebuilds the fixtures of the container-format tests (decrypt, PDF). CI does not run
# this: the outputs are committed. Needs: Debian python3-docx and libreoffice-writer
# (soffice), qpdf, go, node with officecrypto-tool 0.0.19 (npm install officecrypto-tool@0.0.19 in
# a folder on NODE_PATH, or set OCT_DIR to that folder).
set -eu
cd "$(dirname "$0")"
OCT_DIR=${OCT_DIR:-/tmp/octool}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 make_docx.py plain.docx
NODE_PATH="$OCT_DIR/node_modules" node encrypt.js plain.docx agile.docx 'S3cret pass' agile
NODE_PATH="$OCT_DIR/node_modules" node encrypt.js plain.docx standard.docx 'S3cret pass' standard

# Legacy Word 97 .doc, and PDFs from LibreOffice.
soffice --headless --convert-to doc --outdir "$tmp" plain.docx >/dev/null
cp "$tmp/plain.doc" legacy.doc
soffice --headless --convert-to pdf --outdir "$tmp" plain.docx >/dev/null
cp "$tmp/plain.pdf" lo.pdf
# The same PDF rewritten with object streams and a cross-reference stream (Debian qpdf).
qpdf --object-streams=generate lo.pdf lo-objstm.pdf

# AcroForm PDF from the test generator (formObjects in pdf_test.go), then encrypted
# copies: with an empty user password (opens anywhere: must be read) and with a
# real one (must be refused).
(cd ../.. && go test -run TestPDFFormFixture -formats-update . >/dev/null)
W=--allow-weak-crypto
qpdf $W --encrypt "" owner 40 -- lo.pdf enc-rc4-40.pdf
qpdf $W --encrypt "" owner 128 --use-aes=n -- lo.pdf enc-rc4-128.pdf
qpdf --encrypt "" owner 128 --use-aes=y -- lo.pdf enc-aes-128.pdf
qpdf --encrypt "" owner 256 -- lo-objstm.pdf enc-aes-256-objstm.pdf
qpdf --encrypt "" owner 128 --use-aes=y -- form.pdf enc-form-aes-128.pdf
qpdf --encrypt "" owner 256 -- form.pdf enc-form-aes-256.pdf
qpdf --encrypt "user" owner 128 --use-aes=y -- lo.pdf enc-user-aes-128.pdf
qpdf --encrypt "user" owner 256 -- lo.pdf enc-user-aes-256.pdf
