package parser

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDump prints the document model of $DUMP (a debugging aid; skipped otherwise).
func TestDump(t *testing.T) {
	path := os.Getenv("DUMP")
	if path == "" {
		t.Skip("set DUMP=file to print its model")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := load(data, Options{}, newBudget(Limits{}), 0)
	if err != nil {
		t.Fatal(err)
	}
	var dump func(bs []block, ind string)
	dump = func(bs []block, ind string) {
		for _, b := range bs {
			if b.table == nil {
				fmt.Printf("%sP %q\n", ind, b.text)
				continue
			}
			fmt.Printf("%sTABLE\n", ind)
			for ri, r := range b.table.rows {
				fmt.Printf("%s row %d\n", ind, ri)
				for _, c := range r.cells {
					fmt.Printf("%s  cell col=%d span=%d\n", ind, c.col, c.span)
					dump(c.blocks, ind+strings.Repeat(" ", 4))
				}
			}
		}
	}
	dump(d.blocks, "")
}
