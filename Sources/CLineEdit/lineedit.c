// kuai-query's interactive shell over libedit (see include/lineedit.h).
#include "lineedit.h"

#include <histedit.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

struct kuai_editor {
    EditLine *el;
    History *hist;
    HistEvent ev;
    char *prompt;
    char *history_path;
    int cancelled;
};

static char *prompt_of(EditLine *el) {
    kuai_editor *e = NULL;
    el_get(el, EL_CLIENTDATA, &e);
    return e && e->prompt ? e->prompt : "";
}

static unsigned char cancel_line(EditLine *el, int ch) {
    (void)ch;
    kuai_editor *e = NULL;
    el_get(el, EL_CLIENTDATA, &e);
    if (e) e->cancelled = 1;
    return CC_NEWLINE;
}

kuai_editor *kuai_editor_open(const char *program, const char *history_path) {
    // libedit reads and writes multibyte text only under a UTF-8 character type
    setlocale(LC_CTYPE, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
    kuai_editor *e = calloc(1, sizeof(kuai_editor));
    if (!e) return NULL;
    e->el = el_init(program, stdin, stdout, stderr);
    e->hist = history_init();
    if (!e->el || !e->hist) {
        kuai_editor_close(e);
        return NULL;
    }
    history(e->hist, &e->ev, H_SETSIZE, 1000);
    history(e->hist, &e->ev, H_SETUNIQUE, 1);
    if (history_path) {
        e->history_path = strdup(history_path);
        history(e->hist, &e->ev, H_LOAD, history_path);
    }
    el_set(e->el, EL_CLIENTDATA, e);
    el_set(e->el, EL_EDITOR, "emacs");
    el_set(e->el, EL_PROMPT, prompt_of);
    el_set(e->el, EL_HIST, history, e->hist);
    el_set(e->el, EL_SETTY, "-d", "-isig", NULL);
    el_set(e->el, EL_ADDFN, "kuai-cancel", "Cancel the line", cancel_line);
    el_set(e->el, EL_BIND, "^C", "kuai-cancel", NULL);
    return e;
}

void kuai_editor_set_prompt(kuai_editor *e, const char *prompt) {
    free(e->prompt);
    e->prompt = strdup(prompt);
}

const char *kuai_editor_gets(kuai_editor *e, int *cancelled) {
    int count = 0;
    e->cancelled = 0;
    const char *line = el_gets(e->el, &count);
    *cancelled = e->cancelled;
    if (e->cancelled) return "";
    if (!line || count <= 0) return NULL;
    return line;
}

void kuai_editor_add_history(kuai_editor *e, const char *line) {
    history(e->hist, &e->ev, H_ENTER, line);
    if (e->history_path) history(e->hist, &e->ev, H_SAVE, e->history_path);
}

void kuai_editor_close(kuai_editor *e) {
    if (!e) return;
    if (e->el) el_end(e->el);
    if (e->hist) history_end(e->hist);
    free(e->prompt);
    free(e->history_path);
    free(e);
}
