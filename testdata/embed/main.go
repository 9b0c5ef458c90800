// Command embed prints a file embedded with go:embed.
package main

import (
	_ "embed"
	"fmt"
)

//go:embed data.txt
var data string

func main() {
	fmt.Print(data)
}
