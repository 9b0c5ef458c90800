// Command rebuild_vcs prints its VCS stamp (vcs.revision, vcs.time, vcs.modified from buildinfo).
package main

import (
	"fmt"
	"runtime/debug"
)

func main() {
	info, _ := debug.ReadBuildInfo()
	for _, s := range info.Settings {
		fmt.Println(s.Key, s.Value)
	}
}
