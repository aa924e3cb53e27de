#!/bin/sh
# Rebuilds parser/testdata (the top-level fixtures and README.md) from gen/truth.py.
# Leaves parser/testdata/formats/ and parser/testdata/unit/ alone.
#
# Needs (installs nothing itself):
#   Debian: python3-docx pandoc libreoffice-writer-nogui (or libreoffice-writer)
#           poppler-utils (pdftotext, used to check the PDFs) nodejs npm
#   npm:    officecrypto-tool@0.0.19, e.g.
#             mkdir -p /tmp/octool && cd /tmp/octool && npm install officecrypto-tool@0.0.19
#           and point OFFICECRYPTO_NODE_MODULES at its node_modules (default /tmp/octool/node_modules)
# Uses /usr/bin/python3 (Debian's Python, which has python3-docx).
#
# usage: parser/testdata/gen/make.sh [NAME...]   (names rebuild only those fixtures)
set -eu
export PYTHONDONTWRITEBYTECODE=1
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$here/gen.py" "$here/.." "$@"
/usr/bin/python3 "$here/validate.py" "$here/.."
