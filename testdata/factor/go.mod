module example.com/factor

go 1.23

require example.com/factor/dep v1.0.0

replace example.com/factor/dep => ./dep
