module example.com/rebuild_cgoflags

go 1.21
