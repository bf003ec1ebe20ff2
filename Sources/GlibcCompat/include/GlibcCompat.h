// Nothing to import: this target only provides __wrap_hypot and __wrap_hypotf (see compat.c).
#ifndef GLIBC_COMPAT_H
#define GLIBC_COMPAT_H
#endif
