// budgetq's window onto libedit, loaded with dlopen when the REPL starts.
//
// Why dlopen: `budgetq -c`, `run`, scripts on stdin and the benchmark never edit a line, so the
// binary does not link libedit (ldd shows no libedit.so); only the interactive REPL loads it.
// Swift cannot call C variadic functions such as el_wset and history_w, so each setting budgetq
// needs gets a small non-variadic wrapper here. histedit.h (libedit-dev) supplies the types and
// constants only: calling its functions directly would fail to link, by design.
#ifndef BUDGETQ_CLIBEDIT_H
#define BUDGETQ_CLIBEDIT_H

#include <stdio.h>
#include <stddef.h>
#include <wchar.h>
#include <locale.h>
#include <langinfo.h>
#include <histedit.h>

typedef wchar_t *(*budgetq_prompt_fn)(EditLine *);
typedef unsigned char (*budgetq_command_fn)(EditLine *, int);

/// Loads libedit.so.2 (or libedit.so) once; returns 0, or -1 with the reason in `error`.
int budgetq_libedit_load(char *error, size_t error_size);

EditLine *budgetq_el_init(const char *program, FILE *in, FILE *out, FILE *err);
void budgetq_el_end(EditLine *el);
void budgetq_el_reset(EditLine *el);
const wchar_t *budgetq_el_wgets(EditLine *el, int *count);
const LineInfoW *budgetq_el_wline(EditLine *el);
int budgetq_el_winsertstr(EditLine *el, const wchar_t *text);
HistoryW *budgetq_history_winit(void);
void budgetq_history_wend(HistoryW *history);

int budgetq_el_set_prompt(EditLine *el, budgetq_prompt_fn fn);
int budgetq_el_set_editor(EditLine *el, const wchar_t *mode);
int budgetq_el_set_signal(EditLine *el, int on);
int budgetq_el_set_history(EditLine *el, HistoryW *history);
int budgetq_el_add_function(EditLine *el, const wchar_t *name, const wchar_t *help, budgetq_command_fn fn);
int budgetq_el_bind(EditLine *el, const wchar_t *key, const wchar_t *command);
int budgetq_el_set_clientdata(EditLine *el, void *data);
void *budgetq_el_get_clientdata(EditLine *el);
int budgetq_history_setsize(HistoryW *h, int size);
int budgetq_history_setunique(HistoryW *h, int unique);
int budgetq_history_enter(HistoryW *h, const wchar_t *line);
int budgetq_history_load(HistoryW *h, const char *path);
int budgetq_history_save(HistoryW *h, const char *path);

static inline const char *budgetq_codeset(void) {
    return nl_langinfo(CODESET);
}

#endif
