// Command tags prints a message chosen by the "feature" build tag.
package main

import "fmt"

func main() {
	fmt.Println(message())
}
