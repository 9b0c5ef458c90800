// Package dep is the local dependency module of the factor program: required at v1.0.0 and either
// replaced by this directory or served from a file:// module proxy built by the tests.
package dep

import "strconv"

// Version is the dependency's own version; the dependency factor edits it.
const Version = "1.0.0"

// Describe says which dependency version handled n.
//
//go:noinline
func Describe(n int) string {
	return "dep " + Version + " handled " + strconv.Itoa(n)
}
