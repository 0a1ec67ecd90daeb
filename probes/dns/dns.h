/*
 * The DNS subsystem: PTR queries and their replies (dns_msg.h), and reverse
 * DNS of many hosts through the event engine, nmap's way (rdns.h).
 */
#ifndef ST_DNS_H
#define ST_DNS_H

#include "dns_msg.h"
#include "rdns.h"

#endif
