package main

// heavy is too big to inline without a profile; the -pgo factor's profile makes the call in work
// hot, so the compiler inlines it there.
func heavy(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		switch i % 13 {
		case 0:
			s += (i*3 ^ s>>1) % 11
		case 1:
			s += (i*4 ^ s>>2) % 12
		case 2:
			s += (i*5 ^ s>>3) % 13
		case 3:
			s += (i*6 ^ s>>4) % 14
		case 4:
			s += (i*7 ^ s>>5) % 15
		case 5:
			s += (i*8 ^ s>>1) % 16
		case 6:
			s += (i*9 ^ s>>2) % 17
		case 7:
			s += (i*10 ^ s>>3) % 18
		case 8:
			s += (i*11 ^ s>>4) % 19
		case 9:
			s += (i*12 ^ s>>5) % 20
		case 10:
			s += (i*13 ^ s>>1) % 21
		case 11:
			s += (i*14 ^ s>>2) % 22
		default:
			s += 13
		}
	}
	return s
}

func work(n int) int {
	t := 0
	for i := 0; i < n; i++ {
		t += heavy(i % 64)
	}
	return t
}
