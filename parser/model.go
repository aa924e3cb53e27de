package parser

import (
	"fmt"
	"strings"
)

// The document model every reader produces: paragraphs and tables, a table being
// rows of cells and a cell holding paragraphs and nested tables. Check boxes are
// already turned into the glyphs ☒ (ticked) and ☐ (not ticked), so the extractor
// reads a Word content control, a FORMCHECKBOX and a typed ☑ the same way.
type block struct {
	text  string      // a paragraph (may hold \n for line breaks and \t for tabs)
	table *table      // or a table
	lines *[]lineBase // the paragraph's lines as the readings see them (doc.lines)
}

type table struct {
	rows []row
}

type row struct {
	cells []cell
	memo  *rowMemo // what the readings worked out about the row (doc.cellBases)
}

type cell struct {
	col    int // first grid column
	span   int // grid columns covered (≥ 1)
	blocks []block
}

// nextCol is the grid column where a cell added to r begins. Each cell's col is
// the sum of the spans before it, so the last one's end is enough (summing them all
// made a row of many cells quadratic).
func nextCol(r row) int {
	if n := len(r.cells); n > 0 {
		return r.cells[n-1].col + r.cells[n-1].span
	}
	return 0
}

// Limits are the safety caps on one document. A zero field takes its default.
type Limits struct {
	MaxInput        int64 // bytes of the file as received
	MaxUncompressed int64 // bytes of any one part read out of a zip package
	MaxEntries      int   // entries of a zip package
	MaxDepth        int   // XML element nesting
	MaxTables       int   // nesting of tables in tables
	MaxText         int   // characters of text in the whole document
	MaxBlocks       int   // paragraphs, table rows and cells in the whole document
	MaxNodes        int   // XML (or HTML) elements in the whole document
	MaxParts        int   // parts read out of the package(s), attachments opened
	MaxRead         int64 // decompressed bytes read from every part together
}

// DefaultLimits are used for every zero field of Options.Limits.
var DefaultLimits = Limits{
	MaxInput:        32 << 20,
	MaxUncompressed: 64 << 20,
	MaxEntries:      4096,
	MaxDepth:        512,
	MaxTables:       16,
	MaxText:         4 << 20,
	MaxBlocks:       100000,
	MaxNodes:        500000,
	MaxParts:        256,
	MaxRead:         128 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxInput > 0 {
		d.MaxInput = l.MaxInput
	}
	if l.MaxUncompressed > 0 {
		d.MaxUncompressed = l.MaxUncompressed
	}
	if l.MaxEntries > 0 {
		d.MaxEntries = l.MaxEntries
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.MaxTables > 0 {
		d.MaxTables = l.MaxTables
	}
	if l.MaxText > 0 {
		d.MaxText = l.MaxText
	}
	if l.MaxBlocks > 0 {
		d.MaxBlocks = l.MaxBlocks
	}
	if l.MaxNodes > 0 {
		d.MaxNodes = l.MaxNodes
	}
	if l.MaxParts > 0 {
		d.MaxParts = l.MaxParts
	}
	if l.MaxRead > 0 {
		d.MaxRead = l.MaxRead
	}
	return d
}

func errTooLarge(what string, limit int64) error {
	return fmt.Errorf("%s exceeds the limit of %d: %w", what, limit, ErrTooLarge)
}

// textOf is the plain text of blocks: paragraphs joined by newlines, nested tables
// left out (the extractor walks them itself).
func textOf(bs []block) string {
	var sb strings.Builder
	for _, b := range bs {
		if b.table != nil {
			continue
		}
		t := strings.TrimSpace(b.text)
		if t == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(t)
	}
	return sb.String()
}

// allText is every character of the document, tables included, for searches such as
// the case reference and the title.
func allText(bs []block, sb *strings.Builder) {
	for _, b := range bs {
		if b.table != nil {
			for _, r := range b.table.rows {
				for _, c := range r.cells {
					allText(c.blocks, sb)
				}
			}
			continue
		}
		sb.WriteString(b.text)
		sb.WriteByte('\n')
	}
}

// linesToBlocks makes one paragraph per line of plain text.
func linesToBlocks(lines []string) []block {
	bs := make([]block, 0, len(lines))
	for _, l := range lines {
		bs = append(bs, block{text: l})
	}
	return bs
}
