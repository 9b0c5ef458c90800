// build_stamp returns the time this file was compiled.
const char *build_stamp(void) {
	return "C build stamp: " __DATE__ " " __TIME__;
}
