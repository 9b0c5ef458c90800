// Command cgoc calls a tiny C function from the cgo preamble and one from stamp.c, which returns
// the C compiler's __DATE__ and __TIME__ (an embedded build timestamp).
package main

/*
const char *build_stamp(void);

static int add(int a, int b) { return a + b; }
*/
import "C"

import "fmt"

func main() {
	fmt.Println("2+3 =", C.add(2, 3))
	fmt.Println("built:", C.GoString(C.build_stamp()))
}
