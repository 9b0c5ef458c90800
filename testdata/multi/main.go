// Command multi calls a few small functions; tests change one line of one of them.
package main

import "fmt"

func main() {
	fmt.Println(Add(2, 3), Mul(4, 5), Describe("godet"))
}
