package mailbox

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr the first time it is used, not when the program starts
// (csprbot runs once per command, and most commands use few of a package's expressions;
// issue 11.4). sync.OnceValue makes the first use safe from several goroutines.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
