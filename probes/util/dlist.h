/*
 * Intrusive doubly linked lists with a head and a tail pointer: the event
 * engine keeps events on several at once (their type's list and their
 * IOD's), so the link fields' names are arguments.
 */
#ifndef ST_DLIST_H
#define ST_DLIST_H

/* Append `node` to the list (head, tail), linked through its prev/next fields. */
#define ST_DLIST_APPEND(head, tail, node, prev, next)                                              \
    do {                                                                                           \
        (node)->prev = (tail);                                                                     \
        (node)->next = NULL;                                                                       \
        if (tail)                                                                                  \
            (tail)->next = (node);                                                                 \
        else                                                                                       \
            (head) = (node);                                                                       \
        (tail) = (node);                                                                           \
    } while (0)

/* Unlink `node` from the list (head, tail); its links are cleared. */
#define ST_DLIST_UNLINK(head, tail, node, prev, next)                                              \
    do {                                                                                           \
        if ((node)->prev)                                                                          \
            (node)->prev->next = (node)->next;                                                     \
        else                                                                                       \
            (head) = (node)->next;                                                                 \
        if ((node)->next)                                                                          \
            (node)->next->prev = (node)->prev;                                                     \
        else                                                                                       \
            (tail) = (node)->prev;                                                                 \
        (node)->prev = (node)->next = NULL;                                                        \
    } while (0)

#endif
