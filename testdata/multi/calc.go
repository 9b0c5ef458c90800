package main

import "strings"

// Add returns a+b.
//
//go:noinline
func Add(a, b int) int {
	return a + b
}

// Mul returns a*b.
//
//go:noinline
func Mul(a, b int) int {
	return a * b
}

// Describe returns a short description of name.
//
//go:noinline
func Describe(name string) string {
	return "name: " + strings.ToUpper(name)
}
