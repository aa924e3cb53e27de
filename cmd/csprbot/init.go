package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// cmdInit creates the store the configuration names (csprbot init [--config FILE]).
// Nothing else creates one where one is expected, apart from `run` and `demo` on the
// embedded default: a store deleted or moved must be noticed, not replaced by an empty one
// that reads the mailbox again and answers every message a second time.
func cmdInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, nil, []string{"config"})
	if err != nil {
		return err
	}
	if len(f.args) > 0 {
		return usagef("init: unexpected argument %q", f.args[0])
	}
	cfg, embedded, err := loadAppConfig(f.last("config"), defaultDataDir)
	if err != nil {
		return err
	}
	path := cfg.Store.Path
	switch _, err := os.Stat(path); {
	case err == nil:
		fmt.Fprintf(stdout, "a store already exists at %s: nothing to do\n", path)
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("init: %w", err)
	}
	clock, err := clockFrom("")
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, embedded, clock, newLogger(stderr, "warn"))
	if err != nil {
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	run := "csprbot run"
	if !embedded {
		run += " --config " + f.last("config")
	}
	fmt.Fprintf(stdout, "created an empty store at %s\nstart the daemon with: %s\n", path, run)
	return nil
}

// requireStore refuses to go on without the store the configuration names: a command
// never creates one silently where one is expected (csprbot init does, on purpose).
func requireStore(path string, embedded bool, config string) error {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store: %w", err)
	case embedded:
		return usagef("no store at %s: run `csprbot run` first, or give --config FILE", path)
	default:
		return usagef("no store at %s: csprbot does not create one silently; for a new installation run `csprbot init --config %s`, otherwise put the store back", path, config)
	}
}
