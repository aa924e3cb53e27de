package parser

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// openZip opens a zip package within the limits.
func openZip(data []byte, lim Limits) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a readable zip package (%v): %w", err, ErrCorrupt)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, errTooLarge("number of zip entries", int64(lim.MaxEntries))
	}
	return zr, nil
}

// zipFile finds an entry by name, ignoring case and a leading slash.
func zipFile(zr *zip.Reader, name string) *zip.File {
	name = strings.TrimPrefix(name, "/")
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	for _, f := range zr.File {
		if strings.EqualFold(strings.TrimPrefix(f.Name, "/"), name) {
			return f
		}
	}
	return nil
}

// readZipFile reads one entry whole, refusing more than the per-part cap or what the
// document's budget has left, whatever the entry's header claims.
func readZipFile(f *zip.File, bud *budget) ([]byte, error) {
	rc, err := openZipStream(f, bud)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	hint := int64(f.UncompressedSize64)
	if hint < 0 || hint > bud.readLeft() {
		hint = 0
	}
	buf := bytes.NewBuffer(make([]byte, 0, hint+512))
	if _, err := io.Copy(buf, rc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// openZipStream opens one entry as a reader that fails past the per-part cap or
// past what the document's budget has left; it counts as one part read.
func openZipStream(f *zip.File, bud *budget) (io.ReadCloser, error) {
	if err := bud.addPart(f.Name); err != nil {
		return nil, err
	}
	if f.UncompressedSize64 > uint64(bud.lim.MaxUncompressed) {
		return nil, errTooLarge("uncompressed size of "+f.Name, bud.lim.MaxUncompressed)
	}
	if f.UncompressedSize64 > uint64(max(0, bud.lim.MaxRead-bud.read)) {
		return nil, errTooLarge("decompressed bytes read from the whole document", bud.lim.MaxRead)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s (%v): %w", f.Name, err, ErrCorrupt)
	}
	return &cappedReader{rc: rc, name: f.Name, bud: bud, left: bud.lim.MaxUncompressed}, nil
}

// cappedReader charges what it reads to the document's budget and fails at the
// per-part cap or the document's cap, whichever comes first.
type cappedReader struct {
	rc   io.ReadCloser
	name string
	bud  *budget
	left int64 // of the per-part cap
}

func (c *cappedReader) Read(p []byte) (int, error) {
	left := min(c.left, c.bud.lim.MaxRead-c.bud.read)
	if left <= 0 {
		// One more byte would pass a cap: see whether there is one.
		var one [1]byte
		n, err := c.rc.Read(one[:])
		if n > 0 {
			if c.left <= 0 {
				return 0, errTooLarge("uncompressed size of "+c.name, c.bud.lim.MaxUncompressed)
			}
			return 0, errTooLarge("decompressed bytes read from the whole document", c.bud.lim.MaxRead)
		}
		if err != nil && err != io.EOF {
			err = fmt.Errorf("read %s (%v): %w", c.name, err, ErrCorrupt)
		}
		return 0, err
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	c.bud.read += int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read %s (%v): %w", c.name, err, ErrCorrupt)
	}
	return n, err
}

func (c *cappedReader) Close() error { return c.rc.Close() }
