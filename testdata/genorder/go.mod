module example.com/genorder

go 1.21
