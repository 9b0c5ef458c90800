//go:build withc

package main

import (
	"fmt"

	"example.com/factor/internal/cpart"
)

func extra() {
	fmt.Println("C part:", cpart.Value(), cpart.Stamp())
}
