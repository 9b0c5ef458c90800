module example.com/factor/dep

go 1.21
