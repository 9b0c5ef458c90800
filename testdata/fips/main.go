// Command fips hashes its arguments with crypto/sha256, so it links the FIPS 140 module and the
// linker fills go:fipsinfo with the module's checksum (Go 1.24+).
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
)

func main() {
	mac := hmac.New(sha256.New, []byte("godet"))
	for _, a := range os.Args[1:] {
		mac.Write([]byte(a))
	}
	fmt.Printf("%x\n", mac.Sum(nil))
	fmt.Println("GOROOT:", runtime.GOROOT())
}
