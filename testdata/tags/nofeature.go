//go:build !feature

package main

func message() string { return "feature disabled" }
