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

// readZipFile reads one entry whole, refusing more than lim.MaxUncompressed bytes
// whatever its header claims.
func readZipFile(f *zip.File, lim Limits) ([]byte, error) {
	if f.UncompressedSize64 > uint64(lim.MaxUncompressed) {
		return nil, errTooLarge("uncompressed size of "+f.Name, lim.MaxUncompressed)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s (%v): %w", f.Name, err, ErrCorrupt)
	}
	defer rc.Close()
	return readCapped(rc, f.Name, lim.MaxUncompressed, int(f.UncompressedSize64))
}

// openZipStream opens one entry as a reader that fails past the limit.
func openZipStream(f *zip.File, lim Limits) (io.ReadCloser, error) {
	if f.UncompressedSize64 > uint64(lim.MaxUncompressed) {
		return nil, errTooLarge("uncompressed size of "+f.Name, lim.MaxUncompressed)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s (%v): %w", f.Name, err, ErrCorrupt)
	}
	return &cappedReader{rc: rc, name: f.Name, left: lim.MaxUncompressed, max: lim.MaxUncompressed}, nil
}

type cappedReader struct {
	rc   io.ReadCloser
	name string
	left int64
	max  int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One more byte would pass the cap: see whether there is one.
		var one [1]byte
		n, err := c.rc.Read(one[:])
		if n > 0 {
			return 0, errTooLarge("uncompressed size of "+c.name, c.max)
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read %s (%v): %w", c.name, err, ErrCorrupt)
	}
	return n, err
}

func (c *cappedReader) Close() error { return c.rc.Close() }

func readCapped(r io.Reader, name string, max int64, hint int) ([]byte, error) {
	if hint < 0 || int64(hint) > max {
		hint = 0
	}
	buf := bytes.NewBuffer(make([]byte, 0, hint+512))
	n, err := io.Copy(buf, io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s (%v): %w", name, err, ErrCorrupt)
	}
	if n > max {
		return nil, errTooLarge("uncompressed size of "+name, max)
	}
	return buf.Bytes(), nil
}
