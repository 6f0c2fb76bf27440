// A small non-variadic interface to libedit for Swift (Swift cannot call el_set and history,
// which are C variadic functions): the interactive shell of kuai-query.
#ifndef KUAI_LINEEDIT_H
#define KUAI_LINEEDIT_H

typedef struct kuai_editor kuai_editor;

/// Opens an editor on the terminal (standard input and output): emacs key bindings, a history of
/// 1000 distinct lines loaded from `history_path` (NULL: none), and Ctrl-C bound to "cancel the
/// line" (the terminal's interrupt character is turned off while a line is edited, so Ctrl-C is a
/// key there and a signal only while a query runs). NULL when libedit cannot start.
kuai_editor *kuai_editor_open(const char *program, const char *history_path);

/// Sets the prompt shown by the next `kuai_editor_gets`.
void kuai_editor_set_prompt(kuai_editor *editor, const char *prompt);

/// Reads one line with editing. Returns the line (ending in a newline; valid until the next call),
/// or NULL at end of input (Ctrl-D on an empty line). `*cancelled` is set to 1 when the line was
/// cancelled with Ctrl-C (the returned text is then to be dropped), else 0.
const char *kuai_editor_gets(kuai_editor *editor, int *cancelled);

/// Adds a statement or command to the history (and saves the history file).
void kuai_editor_add_history(kuai_editor *editor, const char *line);

/// Restores the terminal and frees the editor.
void kuai_editor_close(kuai_editor *editor);

#endif
