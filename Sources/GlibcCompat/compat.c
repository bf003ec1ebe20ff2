// Keeps the binary loadable on glibc 2.34 (Lambda's provided.al2023).
//
// glibc 2.35 gave hypot and hypotf new symbol versions, so a binary linked on a newer system
// needs hypot@GLIBC_2.35, which provided.al2023 lacks. The executable is linked with
// --wrap=hypot --wrap=hypotf, which sends every call to the __wrap_ functions below; they call
// the original versions, present in every glibc. Only Linux with glibc is concerned.
#if defined(__linux__)
#include <math.h>
#endif

#if defined(__linux__) && defined(__GLIBC__)

#if defined(__x86_64__)
#define GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define GLIBC_BASE "GLIBC_2.17"
#endif

#ifdef GLIBC_BASE
double compat_hypot(double x, double y);
float compat_hypotf(float x, float y);
__asm__(".symver compat_hypot, hypot@" GLIBC_BASE);
__asm__(".symver compat_hypotf, hypotf@" GLIBC_BASE);

double __wrap_hypot(double x, double y) { return compat_hypot(x, y); }
float __wrap_hypotf(float x, float y) { return compat_hypotf(x, y); }
#endif
#endif
