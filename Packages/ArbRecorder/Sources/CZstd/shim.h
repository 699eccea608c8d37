#ifndef ARBOR_CZSTD_SHIM_H
#define ARBOR_CZSTD_SHIM_H
#include <zstd.h>
#endif
