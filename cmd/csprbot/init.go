package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/lewisham-lscp/csprbot/tracker"
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
	created := "created an empty store at %s\n"
	switch err := tracker.ProbeStore(ctx, path); {
	case err == nil:
		fmt.Fprintf(stdout, "a store already exists at %s: nothing to do\n", path)
		return nil
	case errors.Is(err, tracker.ErrEmptyStore):
		// An empty file is nothing to lose; a person asked for a new store.
		created = "the file at %s was empty: created a new store in it\n"
	case errors.Is(err, tracker.ErrNotAStore):
		return usagef("init: %v: move it aside (or point store.path elsewhere) and run csprbot init again", err)
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
	fmt.Fprintf(stdout, created+"start the daemon with: %s\n", path, run)
	return nil
}

// requireStore refuses to go on without the store the configuration names: a command
// never creates one silently where one is expected (csprbot init does, on purpose), nor
// takes for a store a file that is not one (empty after a failed restore or a truncated
// copy, or some other file): opening it would write a fresh schema into it, and `run`
// would then read the mailbox afresh and answer every message a second time.
func requireStore(path string, embedded bool, config string) error {
	err := tracker.ProbeStore(context.Background(), path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tracker.ErrEmptyStore):
		return usagef("the store at %s is an empty file (a failed restore or a truncated copy?): csprbot does not make a new store in it silently; put the store back from a backup (csprbot restore-test checks one), or for a new installation run `csprbot init%s`", path, configFlag(embedded, config))
	case errors.Is(err, tracker.ErrNotAStore):
		return usagef("%v: csprbot will not use it as its store; put the store back, or point store.path at it", err)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store: %w", err)
	case embedded:
		return usagef("no store at %s: run `csprbot run` first, or give --config FILE", path)
	default:
		return usagef("no store at %s: csprbot does not create one silently; for a new installation run `csprbot init --config %s`, otherwise put the store back", path, config)
	}
}

func configFlag(embedded bool, config string) string {
	if embedded || config == "" {
		return ""
	}
	return " --config " + config
}
