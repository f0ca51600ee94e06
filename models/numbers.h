/* numbers — the numbering plan: what a number (a 32-bit id) in a log
 * record stands for.  Header only.
 *
 *   [0, numbers)                  people's phone numbers: the truth graph's
 *                                 nodes (N people, plus the later numbers of
 *                                 people who change numbers, dynamics.h)
 *   [numbers, NUMBERS_GROUP_BASE) numbers nobody in the population holds
 *                                 (an enumerator's sweep reaches them,
 *                                 enumeration.h)
 *   NUMBERS_GROUP_BASE + g        group g's id (a server-side group send or
 *                                 membership change, groups.h)
 *   NUMBERS_ACCOUNT_BASE + i      an enumerator's account i
 *   UINT32_MAX                    no number (SERVERLOG_NO_NUMBER)
 *
 * The adversary learns pairs of people only: a record that names anything
 * else is an "outsider" record (adversary.h), kept for the families that
 * know what the id means. */
#ifndef EXPOSIM_NUMBERS_H
#define EXPOSIM_NUMBERS_H

#include <stdint.h>

#define NUMBERS_GROUP_BASE 0xE0000000u
#define NUMBERS_ACCOUNT_BASE 0xF0000000u
#define NUMBERS_MAX_GROUPS (NUMBERS_ACCOUNT_BASE - NUMBERS_GROUP_BASE)
#define NUMBERS_MAX_ACCOUNTS (0xFFFFFFFFu - NUMBERS_ACCOUNT_BASE)
#define NUMBERS_MAX_SPACE NUMBERS_GROUP_BASE     /* the most numbers a numbering plan holds */

static inline int numbers_is_group(uint32_t x) { return x >= NUMBERS_GROUP_BASE && x < NUMBERS_ACCOUNT_BASE; }
static inline int numbers_is_account(uint32_t x) { return x >= NUMBERS_ACCOUNT_BASE && x != 0xFFFFFFFFu; }

#endif
