/* What main.c needs from the board (startup.c) or, built for the host, from stdio. */
#ifndef FW_H
#define FW_H
#include <stdint.h>

void fw_write(const char *s);
void fw_exit(int status);
void fw_ticks_start(void);
uint64_t fw_ticks(void);

#endif
