// Command hostile carries attacker-chosen strings in every field godet prints (see
// tests/robustness/test_hostile.py, which writes its go.mod and its replaced dependency).
package main

import (
	"fmt"

	"example.com/dep"
)

var version string

func main() {
	fmt.Println(version, dep.Hello())
}
