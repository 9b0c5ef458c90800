// Command hello prints a greeting and the GOROOT it was built with (runtime.GOROOT keeps the
// GOROOT string in the binary unless -trimpath is used).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Println("hello, godet")
	fmt.Println("GOROOT:", runtime.GOROOT())
}
