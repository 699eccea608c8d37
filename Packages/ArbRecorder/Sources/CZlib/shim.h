#ifndef ARBOR_CZLIB_SHIM_H
#define ARBOR_CZLIB_SHIM_H
#include <zlib.h>
#endif
