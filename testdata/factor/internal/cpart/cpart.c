#define CPART_VALUE 4242

int cpart_value(void) { return CPART_VALUE; }

const char *cpart_stamp(void) { return "compiled " __DATE__ " " __TIME__; }
