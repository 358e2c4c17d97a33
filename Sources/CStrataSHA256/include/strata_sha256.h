#ifndef STRATA_SHA256_H
#define STRATA_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// Runs the SHA-256 compression function over `blocks` 64-byte blocks of `data`, updating `state` (eight words, host
/// order). Uses the CPU's SHA extensions when it has them (checked once), else portable C.
void strata_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// 1 when `strata_sha256_blocks` uses the SHA extensions on this CPU (for tests and benchmark notes).
int strata_sha256_accelerated(void);

/// The portable compression function alone (tests compare it with the accelerated one).
void strata_sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
