#ifndef ST_PKT_PROTONAMES_H
#define ST_PKT_PROTONAMES_H

/* nmap's name of IP protocol `proto`, or NULL when it has none. */
const char *st_proto_name(unsigned proto);

/* The protocol number of a name, or -1. */
int st_proto_number(const char *name);

#endif
