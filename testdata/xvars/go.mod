module example.com/xvars

go 1.21
