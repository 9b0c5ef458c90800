// Command genorder prints a generated table in sorted order, so its output does not depend on the
// order of the entries in the generated source.
package main

import (
	"fmt"
	"sort"
)

func main() {
	keys := make([]string, 0, len(colors))
	for k := range colors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%s=%06x ", k, colors[k])
	}
	total := 0
	for _, e := range table {
		total += e.value
	}
	fmt.Println(len(table), total)
}
