// Command factor is the one program of the factor matrix (tests/matrix): every build factor of
// issue 9 changes one thing in how it is built or in one of its sources.
package main

import (
	_ "embed"
	"fmt"
	"os"
	"os/user"
	"runtime"

	"example.com/factor/dep"
	"example.com/factor/internal/table"
)

// version is set with -ldflags "-X main.version=...".
var version string

//go:embed banner.txt
var banner string

// greeting is the string literal the string-literal factors edit.
const greeting = "greetings from the factor program"

// mix is the function body the source factor edits.
//
//go:noinline
func mix(a, b int) int {
	return a*31 + b
}

func main() {
	fmt.Print(banner)
	fmt.Println(greeting, "version", version, "feature", feature)
	fmt.Println("GOROOT:", runtime.GOROOT())
	fmt.Println(dep.Describe(mix(len(os.Args), 7)), table.Sum(), work(1000))
	if len(os.Args) > 1 {
		if u, err := user.Current(); err == nil {
			fmt.Println("user", u.Username)
		}
	}
	extra()
}
