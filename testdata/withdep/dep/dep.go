// Package dep is a local dependency whose output depends on its version constant.
package dep

// Version is the dependency's release.
const Version = "1.0.0"

// Greeting returns a message naming the dependency version.
func Greeting() string {
	return "example.com/dep version " + Version
}
