// Command cgonet uses the net and os/user packages, which use cgo (and link dynamically against
// libc) when CGO_ENABLED=1.
package main

import (
	"fmt"
	"net"
	"os/user"
)

func main() {
	addrs, err := net.LookupHost("localhost")
	fmt.Println("localhost:", addrs, err)
	u, err := user.Current()
	if err == nil {
		fmt.Println("user:", u.Username)
	}
}
