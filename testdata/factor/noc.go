//go:build !withc

package main

func extra() {}
