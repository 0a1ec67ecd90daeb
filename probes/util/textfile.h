/*
 * Opening the text files users bring (traces, scanners' output, target
 * lists): saved by a Windows editor they start with a UTF-8 byte order mark,
 * and redirected by PowerShell (`nmap ... > scan.txt`) they are UTF-16 with
 * one. The stream st_text_fopen returns reads as UTF-8 without the mark, so
 * every reader reads them as it reads any other text.
 */
#ifndef ST_TEXTFILE_H
#define ST_TEXTFILE_H

#include <stdio.h>

/* Open `path` for reading as UTF-8 text: a UTF-8 mark is skipped, UTF-16
 * (little or big endian, told by its mark) is converted as it is read.
 * Returns NULL with errno set when the file cannot be opened. */
FILE *st_text_fopen(const char *path);

/* A line as a terminal showed it, for logs saved from one (`script`, a
 * terminal's "save output"): the shell's escape sequences before the
 * command's first line (bash's bracketed paste, "\e[?2004l\r"), a progress
 * line rewritten in place after a carriage return, a word rubbed out with
 * backspaces. The line (n bytes, ending in "\n", "\r\n" or nothing) is
 * rewritten in place as the text left on the screen, its end kept as "\n"
 * (or nothing); returns its new length. A line without an escape, a
 * backspace or a carriage return before its end is left as it is. */
size_t st_text_screen_line(char *line, size_t n);

#endif
