/* fake_gnuplot — stands in for gnuplot under the plot fuzz target (and its
 * replay in make check): `gnuplot plots.gp` reads the script exposim plot
 * wrote and, instead of drawing, looks for a way a name from a result file
 * could make gnuplot run a command.  It reports one in the file named by
 * $EXPOSIM_FUZZ_FLAG (the target aborts when that file appears) and exits
 * 1; a clean script exits 0, as gnuplot would after drawing.
 *
 * gnuplot's lexical rules, as far as commands go: a line (or ';') ends a
 * command; '...' strings have '' for a quote and cannot span lines, "..."
 * strings have backslash escapes and cannot span lines either; text in
 * backquotes is run by the shell anywhere but inside '...'; system(...),
 * `!`, shell, load, call and pipes ('< cmd' as a data file, '| cmd' as an
 * output) run commands.  So a script is unsafe when a string does not end
 * on its line (the rest of the name becomes commands), when a backquote
 * appears outside '...', when one of those words appears outside strings,
 * or when a string begins with '<' or '|'. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(const char *why, long line, const char *text)
{
    const char *flag = getenv("EXPOSIM_FUZZ_FLAG");
    FILE *f = flag ? fopen(flag, "w") : NULL;
    if (f) {
        fprintf(f, "plots.gp:%ld: %s: %.200s\n", line, why, text);
        fclose(f);
    }
    fprintf(stderr, "fake gnuplot: plots.gp:%ld: %s\n", line, why);
    return 1;
}

static int word_at(const char *s, size_t i, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(s + i, w, n) != 0)
        return 0;
    if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_'))
        return 0;
    return !isalnum((unsigned char)s[i + n]) && s[i + n] != '_';
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return report("not called as `gnuplot plots.gp`", 0, "");
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return report("cannot open the script", 0, argv[1]);
    static const char *const danger[] = { "system", "shell", "load", "call", "exit", "quit", "cd", "save",
                                          "print", "pause", "reread", "import", "eval", "evaluate" };
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    int bad = 0;
    while (!bad && getline(&line, &cap, f) >= 0) {
        n++;
        size_t len = strcspn(line, "\n");
        line[len] = '\0';
        size_t i = 0;
        while (i < len && isspace((unsigned char)line[i]))
            i++;
        if (line[i] == '!') {
            bad = report("a shell escape (!)", n, line);
            break;
        }
        int at_cmd = 1;                          /* at the start of a command */
        for (; i < len && !bad; i++) {
            char c = line[i];
            if (c == '#' && at_cmd)
                break;                           /* a comment to the end of the line */
            if (c == '\'' || c == '"') {
                size_t j = i + 1;
                if (line[j] == '<' || line[j] == '|')
                    bad = report("a string that pipes to or from a command", n, line);
                for (; j < len; j++) {
                    if (c == '"' && line[j] == '\\' && j + 1 < len) {
                        j++;
                        continue;
                    }
                    if (c == '"' && line[j] == '`')
                        bad = report("a backquote (command substitution) in a \"...\" string", n, line);
                    if (line[j] == c) {
                        if (c == '\'' && j + 1 < len && line[j + 1] == '\'') {
                            j++;
                            continue;
                        }
                        break;
                    }
                }
                if (j >= len && !bad)
                    bad = report("a string that does not end on its line", n, line);
                i = j;
                at_cmd = 0;
                continue;
            }
            if (c == '`') {
                bad = report("a backquote (command substitution)", n, line);
                break;
            }
            if (c == ';') {
                at_cmd = 1;
                continue;
            }
            for (size_t k = 0; k < sizeof danger / sizeof danger[0] && !bad; k++)
                if (word_at(line, i, danger[k]))
                    bad = report("a command word outside strings", n, line);
            if (!isspace((unsigned char)c))
                at_cmd = 0;
        }
    }
    free(line);
    fclose(f);
    return bad;
}
