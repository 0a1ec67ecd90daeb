/*
 * A compiled capture filter run on a packet some of whose bits are not
 * known (st_filter_bpf_run): a trace line fixes its addresses, ports and
 * flags, never its MAC addresses or checksums. Each value the program
 * computes carries which of its bits follow from known bits alone; a branch
 * is taken only when those decide it, so a verdict reached is the one the
 * filter gives every packet the line could have been. A branch on an
 * unknown bit, an indirect load through an unknown offset, a read past the
 * bytes built: no verdict. The instruction set is classic BPF's, as
 * pcap/bpf.h and bpf(4) describe it.
 */
#include <pcap/pcap.h> /* its bpf.h wants the types pcap.h brings */

#include "filter_judge.h"

/* A 32-bit value and the mask of its bits that are known. */
struct val {
    uint32_t v, k;
};

#define ALL 0xffffffffu

struct vm {
    const struct st_pkt_bytes *pkt;
    struct val a, x, mem[BPF_MEMWORDS];
};

static bool full(struct val v)
{
    return v.k == ALL;
}

/* n bytes at off (n 1, 2 or 4), big-endian; false past the bytes built
 * (the frame's own end, or Ethernet padding: not known). */
static bool load(const struct st_pkt_bytes *p, uint64_t off, unsigned n, struct val *out)
{
    if (off + n > p->len)
        return false;
    out->v = 0;
    out->k = ALL; /* the bits above the bytes loaded are 0 */
    for (unsigned i = 0; i < n; i++) {
        out->v = out->v << 8 | p->buf[off + i];
        out->k = out->k << 8 | p->known[off + i];
    }
    return true;
}

/* The lowest and highest values v may hold. */
static uint32_t lo(struct val v)
{
    return v.v & v.k;
}

static uint32_t hi(struct val v)
{
    return v.v | ~v.k;
}

static struct val alu(unsigned op, struct val a, struct val b, bool *div0)
{
    struct val r = {0, 0};
    switch (op) {
    case BPF_AND: /* a bit known 0 on either side is known 0 */
        r.v = a.v & b.v;
        r.k = (a.k & b.k) | (a.k & ~a.v) | (b.k & ~b.v);
        return r;
    case BPF_OR: /* a bit known 1 on either side is known 1 */
        r.v = a.v | b.v;
        r.k = (a.k & b.k) | (a.k & a.v) | (b.k & b.v);
        return r;
    case BPF_XOR:
        return (struct val){a.v ^ b.v, a.k & b.k};
    case BPF_LSH:
    case BPF_RSH:
        if (!full(b))
            return r;
        if (b.v >= 32)
            return (struct val){0, ALL};
        if (op == BPF_LSH)
            return (struct val){a.v << b.v, a.k << b.v | ((1u << b.v) - 1)};
        return (struct val){a.v >> b.v, a.k >> b.v | ~(ALL >> b.v)};
    default:
        break;
    }
    if (!full(a) || !full(b))
        return r; /* arithmetic: known only of known operands */
    r.k = ALL;
    switch (op) {
    case BPF_ADD:
        r.v = a.v + b.v;
        break;
    case BPF_SUB:
        r.v = a.v - b.v;
        break;
    case BPF_MUL:
        r.v = a.v * b.v;
        break;
    case BPF_DIV:
    case BPF_MOD:
        *div0 = b.v == 0; /* the program ends there, dropping the packet */
        r.v = *div0 ? 0 : op == BPF_DIV ? a.v / b.v : a.v % b.v;
        break;
    case BPF_NEG:
        r.v = -a.v;
        break;
    default:
        r.k = 0;
        break;
    }
    return r;
}

/* A conditional jump's outcome: 1 taken, 0 not, -1 not known. */
static int jump(unsigned op, struct val a, uint32_t k)
{
    switch (op) {
    case BPF_JEQ:
        if ((a.v ^ k) & a.k)
            return 0;
        return full(a) ? 1 : -1;
    case BPF_JGT:
        return lo(a) > k ? 1 : hi(a) <= k ? 0 : -1;
    case BPF_JGE:
        return lo(a) >= k ? 1 : hi(a) < k ? 0 : -1;
    case BPF_JSET:
        if (a.v & a.k & k)
            return 1;
        return (k & ~a.k) ? -1 : 0;
    default:
        return -1;
    }
}

/* A return: kept when the value is known non-zero, dropped when known 0. */
static enum st_filter_verdict ret(struct val r)
{
    return lo(r) ? ST_FILTER_KEEPS : !hi(r) ? ST_FILTER_DROPS : ST_FILTER_UNKNOWN;
}

/* One load into A or X (ld, ldx): false when what it loads is not known to
 * be in the bytes built, or where it reads is not known. */
static bool do_load(struct vm *m, const struct bpf_insn *in, struct val *dst)
{
    static const unsigned size[] = {[BPF_W] = 4, [BPF_H] = 2, [BPF_B] = 1};
    unsigned sz = BPF_SIZE(in->code) <= BPF_B ? size[BPF_SIZE(in->code)] : 0;
    switch (BPF_MODE(in->code)) {
    case BPF_IMM:
        *dst = (struct val){in->k, ALL};
        return true;
    case BPF_LEN:
        *dst = (struct val){(uint32_t)m->pkt->len, m->pkt->len_known ? ALL : 0};
        return m->pkt->len_known;
    case BPF_MEM:
        if (in->k >= BPF_MEMWORDS)
            return false;
        *dst = m->mem[in->k];
        return true;
    case BPF_ABS:
        return sz && load(m->pkt, in->k, sz, dst);
    case BPF_IND:
        return sz && full(m->x) && load(m->pkt, (uint64_t)m->x.v + in->k, sz, dst);
    case BPF_MSH: /* 4 * (P[k] & 0xf), an IPv4 header's length */
        if (!load(m->pkt, in->k, 1, dst))
            return false;
        *dst = alu(BPF_LSH, alu(BPF_AND, *dst, (struct val){0xf, ALL}, &(bool){0}),
                   (struct val){2, ALL}, &(bool){0});
        return true;
    default:
        return false;
    }
}

enum st_filter_verdict st_filter_bpf_run(const struct bpf_insn *prog, size_t n,
                                         const struct st_pkt_bytes *pkt)
{
    struct vm m = {.pkt = pkt, .a = {0, ALL}, .x = {0, ALL}};
    /* scratch words start undefined */
    for (size_t pc = 0; pc < n; pc++) {
        const struct bpf_insn *in = &prog[pc];
        struct val k = {in->k, ALL};
        bool div0 = false;
        switch (BPF_CLASS(in->code)) {
        case BPF_LD:
        case BPF_LDX:
            if (!do_load(&m, in, BPF_CLASS(in->code) == BPF_LD ? &m.a : &m.x))
                return ST_FILTER_UNKNOWN;
            break;
        case BPF_ST:
        case BPF_STX:
            if (in->k >= BPF_MEMWORDS)
                return ST_FILTER_UNKNOWN;
            m.mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? m.a : m.x;
            break;
        case BPF_ALU:
            m.a = alu(BPF_OP(in->code), m.a, BPF_SRC(in->code) == BPF_X ? m.x : k, &div0);
            if (div0)
                return ST_FILTER_DROPS;
            break;
        case BPF_JMP: {
            if (BPF_OP(in->code) == BPF_JA) {
                pc += in->k;
                break;
            }
            uint32_t cmp = BPF_SRC(in->code) == BPF_X ? m.x.v : in->k;
            if (BPF_SRC(in->code) == BPF_X && !full(m.x))
                return ST_FILTER_UNKNOWN;
            int t = jump(BPF_OP(in->code), m.a, cmp);
            if (t < 0)
                return ST_FILTER_UNKNOWN;
            pc += t ? in->jt : in->jf;
            break;
        }
        case BPF_RET:
            return ret(BPF_RVAL(in->code) == BPF_A ? m.a : BPF_RVAL(in->code) == BPF_X ? m.x : k);
        case BPF_MISC:
            if (BPF_MISCOP(in->code) == BPF_TAX)
                m.x = m.a;
            else if (BPF_MISCOP(in->code) == BPF_TXA)
                m.a = m.x;
            else
                return ST_FILTER_UNKNOWN;
            break;
        default:
            return ST_FILTER_UNKNOWN;
        }
    }
    return ST_FILTER_UNKNOWN; /* ran off its end: not a program bpf_validate passes */
}
