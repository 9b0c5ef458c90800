//go:build cgo

package main

// kind is inlined into main and folded away: no instruction, file or line of it remains.
func kind() string { return "linked with the C library" }
