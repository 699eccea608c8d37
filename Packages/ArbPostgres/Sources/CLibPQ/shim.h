#ifndef ARBOR_CLIBPQ_SHIM_H
#define ARBOR_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
