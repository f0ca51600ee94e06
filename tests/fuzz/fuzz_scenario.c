/* fuzz_scenario — libFuzzer target for the scenario and sweep loaders
 * (`make fuzz`).
 *
 * Each input is written to a scratch file and loaded the way `exposim
 * validate` loads it: a sweep file (root <sweep>) through sweep_validate,
 * anything else through cfg_load_valid (cfg_load with the schema compiled
 * once, as sweeps load their points), the model's run element and its
 * configure step.  Under AddressSanitizer and UBSan, a crash, a leak or
 * undefined behaviour is a finding; so is a rejection without a
 * diagnostic (abort), since every rejected input must say FILE:LINE:
 * what was wrong. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <libxml/parser.h>

#include "cfg.h"
#include "fuzz_files.h"
#include "diag.h"
#include "sim.h"
#include "sweep.h"
#include "world.h"

static const struct sim_model_type *const models[] = { &world_model, NULL };

static char path[256];
static struct cfg_validator *validator;   /* the scenario schema, compiled once (as a sweep does) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        gsl_set_error_handler_off();
        snprintf(path, sizeof path, "%s/s.xml", fuzz_root());
        struct diag d;
        diag_init(&d);
        if (!(validator = cfg_validator_new(&cfg_scenario_schema, &d)))
            abort();
        diag_destroy(&d);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct diag d;
    diag_init(&d);
    int rejected;
    if (sweep_is_sweep_file(path)) {
        struct budget b = { 0 };
        rejected = sweep_validate(path, models, &b, &d) != 0;
    } else {
        struct cfg *c = cfg_load_valid(path, NULL, 0, validator, &d);
        rejected = 1;
        if (c) {
            const struct sim_model_type *model = sim_model_find(models, cfg_name(cfg_root(c)));
            struct sim_run_params run;
            if (!model) {
                cfg_error(c, cfg_root(c), NULL, "no model");
            } else if (sim_read_run(c, &run) == 0) {
                void *params = model->configure(c, &run);
                if (params) {
                    rejected = 0;
                    model->free_params(params);
                }
            }
            cfg_free(c);
        }
    }
    if (rejected && d.n == 0 && d.dropped == 0) {
        fprintf(stderr, "rejected without a diagnostic\n");
        abort();
    }
    diag_destroy(&d);
    xmlResetLastError();
    return 0;
}
