// compiled_at returns the C compiler's idea of now.
const char *compiled_at(void) {
	return __DATE__ " " __TIME__;
}
