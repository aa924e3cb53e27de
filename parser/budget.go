package parser

import "fmt"

// budget is what one document may still cost. One budget is shared by every part
// and every reader of a document (the body, headers and footers, a decrypted package,
// each attachment of a winmail.dat), so a cap holds for the whole document and not
// only for each piece of it: 4,000 header parts of 1 MiB each pass a per-part cap
// 4,000 times.
type budget struct {
	lim    Limits
	text   int   // characters of text emitted into the model
	blocks int   // paragraphs, table rows and table cells
	parts  int   // parts read out of packages, attachments opened
	read   int64 // decompressed bytes read out of packages
	nodes  int   // XML and HTML elements met
}

func newBudget(lim Limits) *budget { return &budget{lim: lim.withDefaults()} }

func (b *budget) addText(n int) error {
	b.text += n
	if b.text > b.lim.MaxText {
		return errTooLarge("text of the document", int64(b.lim.MaxText))
	}
	return nil
}

func (b *budget) addBlock() error {
	b.blocks++
	if b.blocks > b.lim.MaxBlocks {
		return errTooLarge("number of paragraphs, rows and cells in the document", int64(b.lim.MaxBlocks))
	}
	return nil
}

func (b *budget) addNode() error {
	b.nodes++
	if b.nodes > b.lim.MaxNodes {
		return errTooLarge("number of XML elements in the document", int64(b.lim.MaxNodes))
	}
	return nil
}

func (b *budget) addPart(name string) error {
	b.parts++
	if b.parts > b.lim.MaxParts {
		return errTooLarge(fmt.Sprintf("number of parts read (at %s)", name), int64(b.lim.MaxParts))
	}
	return nil
}

func (b *budget) addRead(n int64) error {
	b.read += n
	if b.read > b.lim.MaxRead {
		return errTooLarge("decompressed bytes read from the whole document", b.lim.MaxRead)
	}
	return nil
}

// readLeft is how many more decompressed bytes may be read: the smaller of the
// per-part cap and what the whole document has left.
func (b *budget) readLeft() int64 {
	return min(b.lim.MaxUncompressed, b.lim.MaxRead-b.read)
}

// chargeBlocks charges a model built whole by a reader (a PDF's lines and tables)
// to the budget.
func chargeBlocks(bud *budget, bs []block) error {
	for _, b := range bs {
		if err := bud.addBlock(); err != nil {
			return err
		}
		if err := bud.addText(len(b.text)); err != nil {
			return err
		}
		if b.table == nil {
			continue
		}
		for _, r := range b.table.rows {
			for _, c := range r.cells {
				if err := bud.addBlock(); err != nil {
					return err
				}
				if err := chargeBlocks(bud, c.blocks); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
