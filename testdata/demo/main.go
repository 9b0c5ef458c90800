// Command hello is the program of `godet demo`: it prints a greeting and the GOROOT it was built
// with. println instead of fmt keeps the binary small; runtime.GOROOT keeps the GOROOT string.
package main

import "runtime"

func main() {
	println("hello, godet")
	println("GOROOT:", runtime.GOROOT())
}
