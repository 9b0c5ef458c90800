// Command cmdline is built as `go build main.go` (package path command-line-arguments).
package main

import "fmt"

func main() {
	fmt.Println("built from a file list")
}
