#!/bin/sh
# Rebuilds parser/testdata (the top-level fixtures and README.md) from gen/truth.py.
# Leaves parser/testdata/formats/ and parser/testdata/unit/ alone.
#
# Needs, and installs when missing (apt-get needs root; otherwise it says what to install):
#   Debian: python3-docx pandoc libreoffice-writer-nogui (or libreoffice-writer)
#           poppler-utils (pdftotext, used to check the PDFs) nodejs npm
#   npm:    officecrypto-tool@0.0.19, installed into /tmp/octool
#           (OFFICECRYPTO_NODE_MODULES overrides where its node_modules are)
# Uses /usr/bin/python3 (Debian's Python, which has python3-docx).
#
# usage: parser/testdata/gen/make.sh [NAME...]   (names rebuild only those fixtures)
set -eu
export PYTHONDONTWRITEBYTECODE=1
here=$(cd "$(dirname "$0")" && pwd)

missing=""
/usr/bin/python3 -c 'import docx' 2>/dev/null || missing="$missing python3-docx"
command -v pandoc >/dev/null || missing="$missing pandoc"
command -v soffice >/dev/null || missing="$missing libreoffice-writer-nogui"
command -v pdftotext >/dev/null || missing="$missing poppler-utils"
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "make.sh: installing$missing" >&2
		apt-get update -qq
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	else
		echo "make.sh: missing$missing; install them (Debian: apt-get install$missing)" >&2
		exit 1
	fi
fi
modules=${OFFICECRYPTO_NODE_MODULES:-/tmp/octool/node_modules}
if [ ! -d "$modules/officecrypto-tool" ]; then
	echo "make.sh: installing officecrypto-tool@0.0.19 into $(dirname "$modules")" >&2
	mkdir -p "$(dirname "$modules")"
	(cd "$(dirname "$modules")" && npm install --silent --no-audit --no-fund officecrypto-tool@0.0.19 >/dev/null)
fi
export OFFICECRYPTO_NODE_MODULES="$modules"

/usr/bin/python3 "$here/gen.py" "$here/.." "$@"
/usr/bin/python3 "$here/validate.py" "$here/.."
