/* Credentials: argon2id password hashes and random bearer tokens (libsodium).
 * Tokens and session ids are stored only as BLAKE2b hashes, so a copy of the
 * database does not let anyone sign in. */
#ifndef CH_AUTH_H
#define CH_AUTH_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define CH_TOKEN_LEN 43 /* 32 random bytes, base64url without padding */

/* API tokens expire: after CH_TOKEN_DAYS unless asked otherwise, and never
 * later than CH_TOKEN_DAYS_MAX. */
enum { CH_TOKEN_DAYS = 90, CH_TOKEN_DAYS_MAX = 365 };

/* Must be called once before any other function here. */
int ch_auth_init(ch_error *err);

int ch_password_hash(const char *password, char out[crypto_pwhash_STRBYTES], ch_error *err);
bool ch_password_verify(const char *hash, const char *password);

/* A new random token (NUL-terminated, CH_TOKEN_LEN characters) and its hash. */
void ch_token_new(char token[CH_TOKEN_LEN + 1], uint8_t hash[32]);
void ch_token_hash(const char *token, uint8_t hash[32]);

#endif
