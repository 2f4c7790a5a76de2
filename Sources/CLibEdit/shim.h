// budgetq's window onto libedit. Swift cannot call C variadic functions such as el_wset and
// history_w, so each setting budgetq needs gets a small non-variadic inline wrapper here.
#ifndef BUDGETQ_CLIBEDIT_SHIM_H
#define BUDGETQ_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <wchar.h>
#include <locale.h>
#include <langinfo.h>
#include <histedit.h>

typedef wchar_t *(*budgetq_prompt_fn)(EditLine *);
typedef unsigned char (*budgetq_command_fn)(EditLine *, int);

static inline int budgetq_el_set_prompt(EditLine *el, budgetq_prompt_fn fn) {
    return el_wset(el, EL_PROMPT, fn);
}
static inline int budgetq_el_set_editor(EditLine *el, const wchar_t *mode) {
    return el_wset(el, EL_EDITOR, mode);
}
static inline int budgetq_el_set_signal(EditLine *el, int on) {
    return el_wset(el, EL_SIGNAL, on);
}
static inline int budgetq_el_set_history(EditLine *el, HistoryW *history) {
    return el_wset(el, EL_HIST, history_w, history);
}
static inline int budgetq_el_add_function(EditLine *el, const wchar_t *name, const wchar_t *help, budgetq_command_fn fn) {
    return el_wset(el, EL_ADDFN, name, help, fn);
}
static inline int budgetq_el_bind(EditLine *el, const wchar_t *key, const wchar_t *command) {
    return el_wset(el, EL_BIND, key, command, (const wchar_t *)NULL);
}
static inline int budgetq_el_set_clientdata(EditLine *el, void *data) {
    return el_wset(el, EL_CLIENTDATA, data);
}
static inline void *budgetq_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_wget(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int budgetq_history_setsize(HistoryW *h, int size) {
    HistEventW ev;
    return history_w(h, &ev, H_SETSIZE, size);
}
static inline int budgetq_history_setunique(HistoryW *h, int unique) {
    HistEventW ev;
    return history_w(h, &ev, H_SETUNIQUE, unique);
}
static inline int budgetq_history_enter(HistoryW *h, const wchar_t *line) {
    HistEventW ev;
    return history_w(h, &ev, H_ENTER, line);
}
static inline int budgetq_history_load(HistoryW *h, const char *path) {
    HistEventW ev;
    return history_w(h, &ev, H_LOAD, path);
}
static inline int budgetq_history_save(HistoryW *h, const char *path) {
    HistEventW ev;
    return history_w(h, &ev, H_SAVE, path);
}
static inline const char *budgetq_codeset(void) {
    return nl_langinfo(CODESET);
}

#endif
