// Process-wide set-up of the C libraries, run before main (and before any
// test) by the loader.
//
// OpenSSL 3 registers an atexit handler that frees its global state. Moat
// keeps libmicrohttpd, libcurl and handler threads running until the process
// ends, and a thread still inside OpenSSL while exit() runs that handler uses
// freed memory. OPENSSL_INIT_NO_ATEXIT (OPENSSL_init_crypto(3)) leaves the
// state in place; the operating system reclaims it with the process. It only
// takes effect in the first initialisation call, hence the constructor.
#include <openssl/crypto.h>
#include "moat_process.h"

static int prepared = 0;

__attribute__((constructor))
static void moat_process_prepare(void) {
    prepared = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

int moat_process_prepared(void) {
    return prepared;
}
