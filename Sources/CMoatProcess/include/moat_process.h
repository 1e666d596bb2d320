#ifndef MOAT_PROCESS_H
#define MOAT_PROCESS_H

/// Returns 1 once the process-wide library set-up in moat_process.c has run.
int moat_process_prepared(void);

#endif
