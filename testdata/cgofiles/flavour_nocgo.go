//go:build !cgo

package main

//go:noinline
func flavour() string { return "resolved by the pure Go code" }
