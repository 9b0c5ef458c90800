// Command rebuild_xdate gets its build date from build.sh (-ldflags -X main.date=$(date ...)).
package main

import "fmt"

var date = "unknown"

func main() {
	fmt.Println("built on", date)
}
