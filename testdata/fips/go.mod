module example.com/fips

go 1.21
