/* libFuzzer harness for the policy loader: any bytes must give either a
 * policy or diagnostics, never a crash, leak or undefined behaviour. A
 * policy that loads is also asked for the obligations of one contact. */
#include <stdint.h>
#include <stdlib.h>

#include "policy/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ch_policy *pol = NULL;
    ch_diags diags = {0};
    if (ch_policy_load_text(&pol, "fuzz.yaml", (const char *)data, size, NULL, &diags) == CH_OK) {
        ch_obligation ob[64];
        size_t n;
        ch_time deemed;
        ch_error err;
        /* Friday 18 December 2026, 16:45 UTC. */
        ch_contact c = {.channel = CH_CHANNEL_EMAIL, .received = 1797612300};
        for (size_t i = 0; i < pol->nservices; i++)
            ch_policy_obligations(pol, &pol->services[i], &c, ob, 64, &n, &deemed, &err);
        ch_policy_free(pol);
    }
    ch_diags_free(&diags);
    return 0;
}
