module example.com/rebuild_cstamp

go 1.21
