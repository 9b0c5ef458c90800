// Command rebuild_cgoflags prints a greeting chosen by the C preprocessor: CGO_CFLAGS=-DLOUD
// changes the C code (and, without -trimpath, the CGO_CFLAGS recorded in buildinfo).
package main

/*
#ifdef LOUD
static const char *greeting(void) { return "HELLO FROM C"; }
#else
static const char *greeting(void) { return "hello from c"; }
#endif
*/
import "C"

import "fmt"

func main() {
	fmt.Println(C.GoString(C.greeting()))
}
