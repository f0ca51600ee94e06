/* diag — collected diagnostics; see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void diag_init(struct diag *d) { memset(d, 0, sizeof *d); }

void diag_destroy(struct diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msg[i]);
    diag_init(d);
}

int diag_add(struct diag *d, const char *file, long line, const char *fmt, ...)
{
    if (d->n >= DIAG_MAX) {
        d->dropped++;
        return -1;
    }
    char body[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    size_t len = strlen(body);
    while (len && body[len - 1] == '\n')      /* libxml2 messages end in \n */
        body[--len] = '\0';
    size_t need = len + (file ? strlen(file) : 0) + 32;
    char *raw = malloc(need), *out = NULL;
    if (raw) {
        if (file && line > 0)
            snprintf(raw, need, "%s:%ld: %s", file, line, body);
        else if (file)
            snprintf(raw, need, "%s: %s", file, body);
        else
            snprintf(raw, need, "%s", body);
        /* File names and values quoted from input may hold control
         * characters (a terminal would obey them) or invalid UTF-8. */
        out = text_escape_dup(raw);
        free(raw);
    }
    if (!out) {
        d->dropped++;
        return -1;
    }
    d->msg[d->n++] = out;
    return -1;
}

void diag_print(const struct diag *d, void *stream)
{
    FILE *f = stream;
    for (size_t i = 0; i < d->n; i++)
        fprintf(f, "%s\n", d->msg[i]);
    if (d->dropped)
        fprintf(f, "(%zu more errors not shown)\n", d->dropped);
}
