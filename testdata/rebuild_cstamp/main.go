// Command rebuild_cstamp prints the time its C file was compiled (stamp.c: __DATE__ __TIME__).
// Two cold builds compile stamp.c at different seconds, so even the control pair differs, unless
// SOURCE_DATE_EPOCH is set (the C compiler then uses it for __DATE__ and __TIME__).
package main

/*
const char *compiled_at(void);
*/
import "C"

import "fmt"

func main() {
	fmt.Println("compiled at", C.GoString(C.compiled_at()))
}
