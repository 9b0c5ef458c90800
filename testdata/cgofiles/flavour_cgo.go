//go:build cgo

package main

//go:noinline
func flavour() string { return "resolved through the C library" }
