// Package cpart is the cgo part of the factor program, built with -tags=withc: a C constant (the C
// source factor) and the C compiler's __DATE__ __TIME__ (the C date factor).
package cpart

/*
int cpart_value(void);
const char *cpart_stamp(void);
*/
import "C"

// Value returns the C constant.
func Value() int { return int(C.cpart_value()) }

// Stamp returns when the C file was compiled.
func Stamp() string { return C.GoString(C.cpart_stamp()) }
