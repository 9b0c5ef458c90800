module example.com/cgoc

go 1.21
