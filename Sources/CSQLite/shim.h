#ifndef MOAT_CSQLITE_SHIM_H
#define MOAT_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
