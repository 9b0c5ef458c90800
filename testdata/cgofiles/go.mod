module example.com/cgofiles

go 1.21
