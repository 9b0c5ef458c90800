//go:build feature

package main

const feature = "on"
