/*
 * The HTML report's data (report_html_data.c): every ladder, per mode and
 * host and one for the packets about no single host, as the JSON the page's
 * script draws from (report_html.js).
 */
#ifndef ST_HTML_DATA_H
#define ST_HTML_DATA_H

#include <stdio.h>

#include "report.h"

/* {"scanner": "A", "nsingle": 0|1, "ladders": [...]}, with '<' escaped so
 * that it can sit inside a <script> element. */
void st_html_data(FILE *out, const struct st_comparison *c);

#endif
