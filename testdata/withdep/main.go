// Command withdep uses a local dependency module (via a replace directive).
package main

import (
	"fmt"

	"example.com/dep"
)

func main() {
	fmt.Println(dep.Greeting())
}
