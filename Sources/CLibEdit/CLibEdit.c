// Resolves the libedit functions budgetq uses at run time; see include/CLibEdit.h for why.
#include "CLibEdit.h"

#include <dlfcn.h>
#include <string.h>

static struct {
    EditLine *(*el_init)(const char *, FILE *, FILE *, FILE *);
    void (*el_end)(EditLine *);
    void (*el_reset)(EditLine *);
    const wchar_t *(*el_wgets)(EditLine *, int *);
    int (*el_wset)(EditLine *, int, ...);
    int (*el_wget)(EditLine *, int, ...);
    const LineInfoW *(*el_wline)(EditLine *);
    int (*el_winsertstr)(EditLine *, const wchar_t *);
    HistoryW *(*history_winit)(void);
    void (*history_wend)(HistoryW *);
    int (*history_w)(HistoryW *, HistEventW *, int, ...);
} lib;

static int loaded = 0;

int budgetq_libedit_load(char *error, size_t error_size) {
    if (loaded) return 0;
    // libedit.so.2 is the runtime package (libedit2); libedit.so only comes with libedit-dev.
    void *handle = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!handle) handle = dlopen("libedit.so", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *reason = dlerror();
        snprintf(error, error_size, "cannot load libedit.so.2 (%s); install libedit2", reason ? reason : "not found");
        return -1;
    }
#define RESOLVE(name)                                                                   \
    do {                                                                                \
        *(void **)(&lib.name) = dlsym(handle, #name);                                   \
        if (!lib.name) {                                                                \
            snprintf(error, error_size, "libedit.so.2 has no %s; install libedit2 3.1 or later", #name); \
            return -1;                                                                  \
        }                                                                               \
    } while (0)
    RESOLVE(el_init);
    RESOLVE(el_end);
    RESOLVE(el_reset);
    RESOLVE(el_wgets);
    RESOLVE(el_wset);
    RESOLVE(el_wget);
    RESOLVE(el_wline);
    RESOLVE(el_winsertstr);
    RESOLVE(history_winit);
    RESOLVE(history_wend);
    RESOLVE(history_w);
#undef RESOLVE
    loaded = 1;
    return 0;
}

EditLine *budgetq_el_init(const char *program, FILE *in, FILE *out, FILE *err) { return lib.el_init(program, in, out, err); }
void budgetq_el_end(EditLine *el) { lib.el_end(el); }
void budgetq_el_reset(EditLine *el) { lib.el_reset(el); }
const wchar_t *budgetq_el_wgets(EditLine *el, int *count) { return lib.el_wgets(el, count); }
const LineInfoW *budgetq_el_wline(EditLine *el) { return lib.el_wline(el); }
int budgetq_el_winsertstr(EditLine *el, const wchar_t *text) { return lib.el_winsertstr(el, text); }
HistoryW *budgetq_history_winit(void) { return lib.history_winit(); }
void budgetq_history_wend(HistoryW *history) { lib.history_wend(history); }

int budgetq_el_set_prompt(EditLine *el, budgetq_prompt_fn fn) { return lib.el_wset(el, EL_PROMPT, fn); }
int budgetq_el_set_editor(EditLine *el, const wchar_t *mode) { return lib.el_wset(el, EL_EDITOR, mode); }
int budgetq_el_set_signal(EditLine *el, int on) { return lib.el_wset(el, EL_SIGNAL, on); }
int budgetq_el_set_history(EditLine *el, HistoryW *history) { return lib.el_wset(el, EL_HIST, lib.history_w, history); }
int budgetq_el_add_function(EditLine *el, const wchar_t *name, const wchar_t *help, budgetq_command_fn fn) {
    return lib.el_wset(el, EL_ADDFN, name, help, fn);
}
int budgetq_el_bind(EditLine *el, const wchar_t *key, const wchar_t *command) {
    return lib.el_wset(el, EL_BIND, key, command, (const wchar_t *)NULL);
}
int budgetq_el_set_clientdata(EditLine *el, void *data) { return lib.el_wset(el, EL_CLIENTDATA, data); }
void *budgetq_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    lib.el_wget(el, EL_CLIENTDATA, &data);
    return data;
}
int budgetq_history_setsize(HistoryW *h, int size) {
    HistEventW ev;
    return lib.history_w(h, &ev, H_SETSIZE, size);
}
int budgetq_history_setunique(HistoryW *h, int unique) {
    HistEventW ev;
    return lib.history_w(h, &ev, H_SETUNIQUE, unique);
}
int budgetq_history_enter(HistoryW *h, const wchar_t *line) {
    HistEventW ev;
    return lib.history_w(h, &ev, H_ENTER, line);
}
int budgetq_history_load(HistoryW *h, const char *path) {
    HistEventW ev;
    return lib.history_w(h, &ev, H_LOAD, path);
}
int budgetq_history_save(HistoryW *h, const char *path) {
    HistEventW ev;
    return lib.history_w(h, &ev, H_SAVE, path);
}
