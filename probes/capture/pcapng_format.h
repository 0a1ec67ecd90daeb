/*
 * The pcapng numbers scantrace's writer and reader share: block types and
 * option codes, as the pcapng specification names them. Private to
 * probes/capture.
 */
#ifndef ST_PCAPNG_FORMAT_H
#define ST_PCAPNG_FORMAT_H

enum {
    BT_SHB = 0x0A0D0D0A,
    BT_IDB = 0x00000001,
    BT_ISB = 0x00000005,
    BT_EPB = 0x00000006,
    BYTE_ORDER_MAGIC = 0x1A2B3C4D,

    OPT_END = 0,
    OPT_COMMENT = 1,
    SHB_OS = 3,
    SHB_USERAPPL = 4,
    IF_NAME = 2,
    IF_MACADDR = 6,
    IF_TSRESOL = 9,
    EPB_FLAGS = 2,
    ISB_STARTTIME = 2,
    ISB_ENDTIME = 3,
    ISB_IFRECV = 4,
    ISB_IFDROP = 5,
    ISB_FILTERACCEPT = 6,
    ISB_OSDROP = 7,
    ISB_USRDELIV = 8,
};

#endif
