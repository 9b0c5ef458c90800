// Command xvars prints variables meant to be set with -ldflags -X.
package main

import "fmt"

var version, date, commit string

func main() {
	fmt.Printf("version=%s date=%s commit=%s\n", version, date, commit)
}
