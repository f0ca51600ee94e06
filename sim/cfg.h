/* cfg — a scenario (or other exposim XML input) loaded, overridden and
 * validated; the only way models read their parameters.
 *
 * Loading parses with network access and entity substitution off
 * (XML_PARSE_NONET, never XML_PARSE_NOENT, XML_PARSE_HUGE or DTD loading),
 * refuses any document with a DOCTYPE, applies `--set PATH=VALUE`
 * overrides to the tree, then validates the result against the schema
 * compiled into the program (scenarios/scenario.xsd).  Every problem is
 * reported as "FILE:LINE: message" through a struct diag.
 *
 * PATH names one attribute by its element path from the root and the
 * attribute: "population@size", "policy/retention@days",
 * "adversary/bulk_snapshot[2]@period_days" (1-based index among siblings of
 * that name), "@name" for the root's own attribute. */
#ifndef EXPOSIM_CFG_H
#define EXPOSIM_CFG_H

#include <stddef.h>

#include "diag.h"

struct cfg;
struct cfg_node;               /* an element of the loaded document */

/* The largest XML input read (a scenario is small; giants are refused
 * before a byte is read). */
#define CFG_MAX_INPUT_BYTES ((size_t)16 << 20)

/* A schema compiled into the program: text in [text, end). */
struct cfg_schema {
    const char *name;          /* for messages, e.g. "scenario.xsd" */
    const char *text, *end;
};
extern const struct cfg_schema cfg_scenario_schema;

/* Load `path`, apply the `nsets` overrides "PATH=VALUE", validate.  Returns
 * the document, or NULL with the reasons in d.  Free with cfg_free. */
struct cfg *cfg_load(const char *path, const char *const *sets, size_t nsets, struct diag *d);
/* The same against another built-in schema; schema NULL parses (with the
 * same safety rules) and applies the overrides without validating. */
struct cfg *cfg_load_schema(const char *path, const char *const *sets, size_t nsets,
                            const struct cfg_schema *schema, struct diag *d);
void cfg_free(struct cfg *c);

/* A built-in schema compiled once, for loading many documents against it
 * (a sweep derives one document per point; compiling the XSD is most of the
 * cost of a load).  NULL with a diagnostic on failure.  Free with
 * cfg_validator_free (NULL is fine).  A validator is read-only once made:
 * forked processes may share it. */
struct cfg_validator;
struct cfg_validator *cfg_validator_new(const struct cfg_schema *schema, struct diag *d);
void cfg_validator_free(struct cfg_validator *v);
/* cfg_load_schema with a compiled schema. */
struct cfg *cfg_load_valid(const char *path, const char *const *sets, size_t nsets,
                           const struct cfg_validator *v, struct diag *d);
/* A new document whose root is a deep copy of `elem` (an element of src),
 * with the overrides applied exactly as cfg_load applies them, validated
 * against v.  Messages name src's file and the lines in it.  O(size of
 * elem).  NULL with the reasons in d. */
struct cfg *cfg_derive(const struct cfg *src, const struct cfg_node *elem,
                       const char *const *sets, size_t nsets,
                       const struct cfg_validator *v, struct diag *d);

const char *cfg_path(const struct cfg *c);
struct diag *cfg_diag(struct cfg *c);
const struct cfg_node *cfg_root(const struct cfg *c);
/* First child element called `name`, or NULL. */
const struct cfg_node *cfg_child(const struct cfg_node *n, const char *name);
/* First child element / next sibling element, whatever the name; NULL at end. */
const struct cfg_node *cfg_first(const struct cfg_node *n);
const struct cfg_node *cfg_next(const struct cfg_node *n);
const char *cfg_name(const struct cfg_node *n);
long cfg_line(const struct cfg_node *n);
int cfg_has(const struct cfg_node *n, const char *attr);

/* Attribute getters.  An absent attribute (or a NULL node) gives `dflt`.
 * A value that does not parse adds a diagnostic and returns -1. */
int cfg_long(struct cfg *c, const struct cfg_node *n, const char *attr, long dflt, long *out);
int cfg_double(struct cfg *c, const struct cfg_node *n, const char *attr, double dflt, double *out);
/* The attribute's text (owned by the document), or dflt. */
const char *cfg_str(const struct cfg_node *n, const char *attr, const char *dflt);
/* The element's text content, malloc'd (free() it), or NULL (no node, OOM). */
char *cfg_text(const struct cfg_node *n);

/* Report a semantic error about element n (and attribute attr, may be NULL)
 * as "FILE:LINE: element 'e', attribute 'a': message"; names the --set
 * override when the value came from one.  Returns -1. */
int cfg_error(struct cfg *c, const struct cfg_node *n, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A look at an XML file's bytes before libxml2 parses them: a NUL byte is
 * refused (libxml2 would stop reading there, so anything after it, such
 * as garbage after the root element, would pass unseen), and so is a start
 * tag with more than CFG_MAX_ATTRIBUTES attributes (libxml2 2.9 spends
 * time quadratic in their number).  0, or -1 with "PATH:LINE: message" in
 * d.  O(len). */
#define CFG_MAX_ATTRIBUTES 256
int cfg_xml_precheck(const char *path, const char *buf, size_t len, struct diag *d);

/* The document as run, for the manifest: an xmlDocPtr. */
void *cfg_xml_doc(const struct cfg *c);
/* The schema's bytes (compiled in). */
const char *cfg_schema_text(size_t *len);

#endif
