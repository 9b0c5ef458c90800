// Command rebuild_trim is reproducible when built with -trimpath: without it, the build directory
// is embedded (pclntab file table, DWARF), so the "build-dir" variation changes the output.
package main

import "fmt"

func main() {
	fmt.Println("reproducible with -trimpath")
}
