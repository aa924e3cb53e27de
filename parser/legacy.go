package parser

// Legacy Word 97-2003 .doc ([MS-DOC]): the text only, read through the piece table.
// decryptOOXML answers a .doc with the "please send it as .docx" error; extractDoc is
// for a caller that would rather read what it can: the document's paragraphs as
// lines, table rows as their cells joined by tabs (the same shape as extractPDF's
// lines). Formatting, headers, footnotes and text boxes are not read.

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

const (
	docMaxPieces = 1 << 16
	docMaxChars  = 4 << 20
)

// extractDoc returns the lines of a Word 97-2003 document's main text.
func extractDoc(raw []byte) ([]string, error) {
	cf, err := openCFB(raw)
	if err != nil {
		return nil, err
	}
	wdEnt, ok := cf.entries["WordDocument"]
	if !ok {
		return nil, fmt.Errorf("OLE compound file without a WordDocument stream: not a Word .doc: %w", ErrUnsupported)
	}
	wd, err := cf.read(wdEnt)
	if err != nil {
		return nil, err
	}
	if len(wd) < 0x1AA || binary.LittleEndian.Uint16(wd) != 0xA5EC {
		return nil, fmt.Errorf("Word .doc: no file information block: %w", ErrCorrupt)
	}
	flags := binary.LittleEndian.Uint16(wd[0x0A:])
	if flags&0x0100 != 0 { // fEncrypted
		return nil, fmt.Errorf("password-protected Word .doc is not supported: please send it as .docx without a password: %w", ErrEncrypted)
	}
	table := "0Table"
	if flags&0x0200 != 0 { // fWhichTblStm
		table = "1Table"
	}
	tEnt, ok := cf.entries[table]
	if !ok {
		return nil, fmt.Errorf("Word .doc: no %s stream (a Word 6 or older file?): %w", table, ErrUnsupported)
	}
	tbl, err := cf.read(tEnt)
	if err != nil {
		return nil, err
	}
	ccpText := binary.LittleEndian.Uint32(wd[76:])
	fcClx := binary.LittleEndian.Uint32(wd[0x1A2:])
	lcbClx := binary.LittleEndian.Uint32(wd[0x1A6:])
	if uint64(fcClx)+uint64(lcbClx) > uint64(len(tbl)) {
		return nil, fmt.Errorf("Word .doc: piece table outside the table stream: %w", ErrCorrupt)
	}
	clx := tbl[fcClx : fcClx+lcbClx]
	// Skip Prc entries (formatting), find the Pcdt (the piece table).
	var plc []byte
	for i := 0; i < len(clx); {
		switch clx[i] {
		case 0x01:
			if i+3 > len(clx) {
				return nil, fmt.Errorf("Word .doc: truncated piece table: %w", ErrCorrupt)
			}
			n := int(int16(binary.LittleEndian.Uint16(clx[i+1:])))
			if n < 0 {
				return nil, fmt.Errorf("Word .doc: bad piece table: %w", ErrCorrupt)
			}
			i += 3 + n
		case 0x02:
			if i+5 > len(clx) {
				return nil, fmt.Errorf("Word .doc: truncated piece table: %w", ErrCorrupt)
			}
			n := binary.LittleEndian.Uint32(clx[i+1:])
			if uint64(n) > uint64(len(clx)-i-5) {
				return nil, fmt.Errorf("Word .doc: piece table longer than its stream: %w", ErrCorrupt)
			}
			plc = clx[i+5 : i+5+int(n)]
			i = len(clx)
		default:
			return nil, fmt.Errorf("Word .doc: bad piece table entry 0x%02x: %w", clx[i], ErrCorrupt)
		}
	}
	if len(plc) < 4 || (len(plc)-4)%12 != 0 {
		return nil, fmt.Errorf("Word .doc: no piece table: %w", ErrCorrupt)
	}
	n := (len(plc) - 4) / 12
	if n > docMaxPieces {
		return nil, errTooLarge("number of pieces in the Word .doc", docMaxPieces)
	}
	var text []uint16
	for i := 0; i < n; i++ {
		cpStart := binary.LittleEndian.Uint32(plc[4*i:])
		cpEnd := binary.LittleEndian.Uint32(plc[4*(i+1):])
		if cpStart >= ccpText {
			break
		}
		cpEnd = min(cpEnd, ccpText)
		if cpEnd <= cpStart {
			continue
		}
		count := int(cpEnd - cpStart)
		if len(text)+count > docMaxChars {
			return nil, errTooLarge("characters of the Word .doc", docMaxChars)
		}
		pcd := plc[4*(n+1)+8*i:]
		fc := binary.LittleEndian.Uint32(pcd[2:])
		if fc&0x40000000 != 0 { // compressed: one byte a character, Windows-1252
			off := uint64(fc&0x3FFFFFFF) / 2
			if off+uint64(count) > uint64(len(wd)) {
				return nil, fmt.Errorf("Word .doc: text outside its stream: %w", ErrCorrupt)
			}
			for _, c := range wd[off : off+uint64(count)] {
				r := pdfWinAnsi[c]
				if r == 0 {
					r = rune(c)
				}
				text = append(text, uint16(r))
			}
		} else {
			off := uint64(fc)
			if off+2*uint64(count) > uint64(len(wd)) {
				return nil, fmt.Errorf("Word .doc: text outside its stream: %w", ErrCorrupt)
			}
			for k := 0; k < count; k++ {
				text = append(text, binary.LittleEndian.Uint16(wd[off+uint64(2*k):]))
			}
		}
	}
	return docLines(string(utf16.Decode(text))), nil
}

// docLines turns Word's text stream into lines: a paragraph mark ends a line, a cell
// mark (7) separates cells with a tab and two in a row end the table row. Field codes
// (between 0x13 and 0x14) are dropped; their results (0x14 to 0x15) kept.
func docLines(s string) []string {
	var lines []string
	var cur strings.Builder
	flush := func() {
		if l := pdfCleanLine(cur.String()); l != "" {
			lines = append(lines, l)
		}
		cur.Reset()
	}
	fieldDepth, inCode := 0, []bool{}
	prevCell := false
	for _, r := range s {
		switch r {
		case 0x13:
			fieldDepth++
			inCode = append(inCode, true)
			continue
		case 0x14:
			if fieldDepth > 0 {
				inCode[len(inCode)-1] = false
			}
			continue
		case 0x15:
			if fieldDepth > 0 {
				fieldDepth--
				inCode = inCode[:len(inCode)-1]
			}
			continue
		}
		if fieldDepth > 0 && inCode[len(inCode)-1] {
			continue
		}
		isCell := r == 0x07
		switch {
		case isCell && prevCell:
			flush() // the row mark after the last cell
			isCell = false
		case isCell:
			cur.WriteByte('\t')
		case r == '\r' || r == 0x0C:
			flush()
		case r == 0x0B:
			cur.WriteByte(' ')
		case r == 0x1E:
			cur.WriteByte('-')
		case r == 0x1F, r == 0x01, r == 0x08, r == 0x02, r == 0x05:
			// optional hyphen, pictures, footnote and annotation marks
		default:
			cur.WriteRune(r)
		}
		prevCell = isCell
	}
	flush()
	if lines == nil {
		lines = []string{}
	}
	return lines
}
