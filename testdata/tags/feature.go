//go:build feature

package main

func message() string { return "feature enabled: extra behaviour compiled in" }
