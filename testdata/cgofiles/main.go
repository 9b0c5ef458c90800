// Command cgofiles prints which of two files CGO_ENABLED selected, and a greeting.
package main

import (
	"fmt"
	"os/user"
)

//go:noinline
func greeting() string { return "greetings from the cgofiles program" }

func main() {
	u, _ := user.Current()
	fmt.Println(flavour(), greeting(), kind(), u != nil)
}
