package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/lewisham-lscp/csprbot/parser"
)

// stringList is a flag that may repeat.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// runParse is `csprbot parse [--password PW]... [--config FILE] FILE...` (forms.md):
// one JSON object per file on stdout, one line per file it cannot read on stderr,
// exit 2 if any file failed, 0 otherwise.
func runParse(args []string, stdout, stderr io.Writer) int {
	return runParseWith(args, nil, stdout, stderr)
}

// runParseWith is runParse with passwords the caller already has (the daemon's
// configured list); --password adds to them, tried first.
func runParseWith(args []string, passwords []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("csprbot parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pw stringList
	var configPath string
	fs.Var(&pw, "password", "a password to try on password-protected documents (may repeat)")
	fs.StringVar(&configPath, "config", "", "a csprbot config file whose [parser] passwords are tried too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: csprbot parse [--password PW]... [--config FILE] FILE...")
	}
	// Flags may come anywhere among the files.
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			files = append(files, rest[1:]...)
			break
		}
		files = append(files, rest[0])
		rest = rest[1:]
	}
	if len(files) == 0 {
		fs.Usage()
		return 2
	}
	all := append([]string(nil), pw...)
	if configPath != "" {
		cp, err := configPasswords(configPath)
		if err != nil {
			fmt.Fprintf(stderr, "error: %s: %v\n", configPath, err)
			return 2
		}
		all = append(all, cp...)
	}
	all = append(all, passwords...)

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	code := 0
	for _, path := range files {
		name := filepath.Base(path)
		f, err := parseOne(path, all)
		if err != nil {
			fmt.Fprintf(stderr, "error: %s: %s\n", name, reason(err))
			code = 2
			continue
		}
		if err := enc.Encode(f); err != nil {
			fmt.Fprintf(stderr, "error: %s: %v\n", name, err)
			code = 2
		}
	}
	return code
}

func parseOne(path string, passwords []string) (*parser.Form, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, errors.New("is a directory")
	}
	if st.Size() > parser.DefaultLimits.MaxInput {
		return nil, fmt.Errorf("file size %d exceeds the limit of %d: %w", st.Size(), parser.DefaultLimits.MaxInput, parser.ErrTooLarge)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parser.Parse(filepath.Base(path), data, parser.Options{Passwords: passwords})
}

// reason is an error as one line without the path os errors repeat.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// configPasswords reads only `[parser] passwords` from a config file, so parse
// works with a config that is not otherwise complete.
func configPasswords(path string) ([]string, error) {
	var c struct {
		Parser struct {
			Passwords []string `toml:"passwords"`
		} `toml:"parser"`
	}
	if _, err := toml.DecodeFile(path, &c); err != nil {
		return nil, err
	}
	return c.Parser.Passwords, nil
}
