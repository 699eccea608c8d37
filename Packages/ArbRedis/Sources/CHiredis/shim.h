#ifndef ARBOR_CHIREDIS_SHIM_H
#define ARBOR_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
