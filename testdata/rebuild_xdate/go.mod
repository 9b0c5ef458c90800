module example.com/rebuild_xdate

go 1.21
