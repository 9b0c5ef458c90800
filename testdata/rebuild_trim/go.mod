module example.com/rebuild_trim

go 1.21
