#ifndef MOAT_CCURL_SHIM_H
#define MOAT_CCURL_SHIM_H
#include <curl/curl.h>
#endif
