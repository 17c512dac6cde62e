// loadgen: a single-threaded KRPC (BitTorrent Mainline DHT) load generator.
//
// Sends well-formed queries (ping, find_node with random targets, get_peers, BEP 44 get for random or
// stored targets, and the named-value find_value extension) to one node at a fixed rate or as fast as a
// window of outstanding queries allows, for a bounded count and time, with a unique transaction id per
// query. Reports sent, answered, errors, loss, answers per second and latency percentiles. The sweep mode
// finds the highest fixed rate whose loss stays under a threshold (1 % by default).
//
// Only loopback targets are accepted: this is a tool for measuring a node on the same machine.
//
// Build: gcc -O2 -Wall -o loadgen loadgen.c   (no dependencies; SHA-1 is built in for BEP 44 targets)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DGRAM 2048
#define BATCH 64
#define HIST_US 2000000           // latency histogram: 1 microsecond buckets up to 2 s
#define MAX_COUNT (1u << 24)      // 24-bit sequence numbers in the transaction id
#define MAX_STORED 4096
#define TID_LEN 4

// ---- SHA-1 (FIPS 180-1), only for BEP 44 immutable targets ---------------------------------------------

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const uint8_t *data, size_t len, uint8_t out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t total = ((len + 9 + 63) / 64) * 64;
    uint8_t *m = calloc(total, 1);
    memcpy(m, data, len);
    m[len] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) m[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < total; off += 64) {
        uint32_t w[80];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 |
                   (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
        for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6; }
            uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d; d = c; c = rol(b, 30); b = a; a = t;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
    }
    free(m);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(h[i] >> (24 - 8 * j));
}

// ---- small helpers ---------------------------------------------------------------------------------------

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {  // xorshift64*: fast, good enough for random targets
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}
static void rng_fill(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(rng() >> 32);
}

static volatile sig_atomic_t interrupted = 0;
static void on_signal(int s) { (void)s; interrupted = 1; }

// ---- bencode: just enough to read "t", "y" and r.token ---------------------------------------------------

// Returns the position after the value starting at p, or NULL if malformed/truncated.
static const uint8_t *bskip(const uint8_t *p, const uint8_t *end, int depth) {
    if (p >= end || depth > 32) return NULL;
    if (*p == 'i') {
        const uint8_t *q = memchr(p, 'e', (size_t)(end - p));
        return q ? q + 1 : NULL;
    }
    if (*p == 'l' || *p == 'd') {
        p++;
        while (p < end && *p != 'e') {
            p = bskip(p, end, depth + 1);
            if (!p) return NULL;
        }
        return p < end ? p + 1 : NULL;
    }
    if (*p >= '0' && *p <= '9') {
        size_t n = 0;
        while (p < end && *p >= '0' && *p <= '9') { n = n * 10 + (size_t)(*p - '0'); if (n > 1u << 20) return NULL; p++; }
        if (p >= end || *p != ':') return NULL;
        p++;
        if ((size_t)(end - p) < n) return NULL;
        return p + n;
    }
    return NULL;
}

// Reads a byte string at p: sets *s and *n, returns the position after it.
static const uint8_t *bstring(const uint8_t *p, const uint8_t *end, const uint8_t **s, size_t *n) {
    size_t len = 0;
    if (p >= end || *p < '0' || *p > '9') return NULL;
    while (p < end && *p >= '0' && *p <= '9') { len = len * 10 + (size_t)(*p - '0'); if (len > 1u << 20) return NULL; p++; }
    if (p >= end || *p != ':') return NULL;
    p++;
    if ((size_t)(end - p) < len) return NULL;
    *s = p; *n = len;
    return p + len;
}

// Finds key in the dictionary starting at d; returns the position of its value (and *vend) or NULL.
static const uint8_t *bdict_find(const uint8_t *d, const uint8_t *end, const char *key, const uint8_t **vend) {
    if (d >= end || *d != 'd') return NULL;
    const uint8_t *p = d + 1;
    size_t klen = strlen(key);
    while (p < end && *p != 'e') {
        const uint8_t *k; size_t kn;
        p = bstring(p, end, &k, &kn);
        if (!p) return NULL;
        const uint8_t *v = p;
        p = bskip(p, end, 1);
        if (!p) return NULL;
        if (kn == klen && memcmp(k, key, klen) == 0) { if (vend) *vend = p; return v; }
    }
    return NULL;
}

// ---- queries -----------------------------------------------------------------------------------------------

enum qtype { Q_PING, Q_FIND_NODE, Q_GET_PEERS, Q_GET, Q_GET_STORED, Q_FIND_VALUE };
static const char *qnames[] = {"ping", "find_node", "get_peers", "get", "get_stored", "find_value"};

struct template {
    uint8_t bytes[256];
    size_t len;
    size_t tid_off;     // where the 4-byte transaction id goes
    size_t target_off;  // where the 20-byte target goes (0 = none)
};

static uint8_t node_id[20];
static int read_only = 0;

static size_t put_bytes(uint8_t *b, size_t o, const void *s, size_t n) { memcpy(b + o, s, n); return o + n; }
static size_t put_str(uint8_t *b, size_t o, const char *s) { return put_bytes(b, o, s, strlen(s)); }

// Keys in sorted order as bencode requires: a, q, ro, t, y.
static void build_template(struct template *t, enum qtype q) {
    uint8_t *b = t->bytes;
    size_t o = 0;
    o = put_str(b, o, "d1:ad2:id20:");
    o = put_bytes(b, o, node_id, 20);
    t->target_off = 0;
    const char *method = "ping";
    switch (q) {
        case Q_PING: break;
        case Q_FIND_NODE: o = put_str(b, o, "6:target20:"); t->target_off = o; o += 20; method = "find_node"; break;
        case Q_GET_PEERS: o = put_str(b, o, "9:info_hash20:"); t->target_off = o; o += 20; method = "get_peers"; break;
        case Q_GET: case Q_GET_STORED: o = put_str(b, o, "6:target20:"); t->target_off = o; o += 20; method = "get"; break;
        case Q_FIND_VALUE: o = put_str(b, o, "6:target20:"); t->target_off = o; o += 20; method = "find_value"; break;
    }
    o = put_str(b, o, "e1:q");
    char num[32];
    snprintf(num, sizeof num, "%zu:", strlen(method));
    o = put_str(b, o, num);
    o = put_str(b, o, method);
    if (read_only) o = put_str(b, o, "2:roi1e");
    o = put_str(b, o, "1:t4:");
    t->tid_off = o;
    o += TID_LEN;
    o = put_str(b, o, "1:y1:qe");
    t->len = o;
}

static void write_tid(uint8_t *p, uint32_t tag, uint32_t seq) {
    p[0] = (uint8_t)tag;
    p[1] = (uint8_t)(seq >> 16);
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
}

// Classifies a reply: returns 'r', 'e' or 0 (not a reply we can read); sets tag and seq from "t".
static int read_reply(const uint8_t *b, size_t n, uint32_t *tag, uint32_t *seq) {
    const uint8_t *end = b + n, *vend;
    const uint8_t *tv = bdict_find(b, end, "t", &vend);
    if (!tv) return 0;
    const uint8_t *s; size_t sn;
    if (!bstring(tv, end, &s, &sn) || sn != TID_LEN) return 0;
    const uint8_t *yv = bdict_find(b, end, "y", &vend);
    const uint8_t *y; size_t yn;
    if (!yv || !bstring(yv, end, &y, &yn) || yn != 1) return 0;
    *tag = s[0];
    *seq = (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
    // 'q' is only ever seen from the echo server used as a baseline, which sends the query back.
    return y[0] == 'r' || y[0] == 'e' || y[0] == 'q' ? y[0] : 0;
}

// ---- one run -------------------------------------------------------------------------------------------------

struct config {
    struct sockaddr_in target;
    enum qtype query;
    double rate;            // queries per second; 0 = as fast as the window allows
    double duration;        // seconds of sending
    uint32_t count;         // upper bound on queries (0 = rate * duration)
    uint32_t window;        // outstanding queries when rate = 0
    double drain;           // seconds to wait for late answers after the last send
    double timeout;         // a query older than this is lost (window mode)
    int quiet;
};

struct result {
    enum qtype query;
    double rate, elapsed;
    uint64_t sent, answered, errors, stale, late, unreadable;
    double loss_pct, answers_per_s;
    double p50_ms, p90_ms, p99_ms, max_ms;
    double p99_sent_ms;     // p99 over every query sent, a lost one counting as slower than any answer; < 0: lost > 1 %
};

static int sock = -1;
static uint8_t stored[MAX_STORED][20];
static size_t stored_count = 0;
static uint32_t *hist;        // latency histogram in microseconds
static uint64_t hist_over;    // latencies above the histogram
static uint64_t *sent_at;     // send time per sequence number
static uint32_t *lat_trace;   // --trace: latency + 1 per sequence number (0 = no answer)
static FILE *trace_out;
static uint8_t *answered_bits;

// The latency of the answer at 0-based position `rank` in ascending order (answers beyond the histogram
// report its upper bound).
static double rank_ms(uint64_t rank) {
    uint64_t acc = 0;
    for (uint32_t us = 0; us < HIST_US; us++) {
        acc += hist[us];
        if (acc > rank) return us / 1000.0;
    }
    return HIST_US / 1000.0;
}

static double percentile_ms(uint64_t total, double p) {
    if (total == 0) return 0;
    uint64_t want = (uint64_t)(p * (double)total);
    if (want >= total) want = total - 1;
    return rank_ms(want);
}

// The 99th percentile over every query sent, a query never answered counting as slower than every answer:
// -1 ("no answer") when more than 1 % were lost.
static double p99_sent_ms(uint64_t sent, uint64_t answered) {
    uint64_t rank = (uint64_t)(0.99 * (double)sent);
    return sent == 0 ? 0 : rank >= answered ? -1 : rank_ms(rank);
}

static void receive_all(uint32_t tag, uint32_t limit, struct result *r, uint64_t *lo) {
    static uint8_t bufs[BATCH][MAX_DGRAM];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = MAX_DGRAM;
            memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int got = recvmmsg(sock, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0) return;
        uint64_t t = now_ns();
        for (int i = 0; i < got; i++) {
            uint32_t rtag, seq;
            int kind = read_reply(bufs[i], msgs[i].msg_len, &rtag, &seq);
            if (!kind) { r->unreadable++; continue; }
            if (rtag != tag || seq >= limit || !sent_at[seq]) { r->stale++; continue; }
            if (answered_bits[seq >> 3] & (1u << (seq & 7))) { r->stale++; continue; }
            answered_bits[seq >> 3] |= (uint8_t)(1u << (seq & 7));
            r->answered++;
            if (kind == 'e') r->errors++;
            uint64_t us = (t - sent_at[seq]) / 1000;
            if (us < HIST_US) hist[us]++; else hist_over++;
            if (lat_trace) lat_trace[seq] = (uint32_t)us + 1;
        }
        (void)lo;
        if (got < BATCH) return;
    }
}

static int run(const struct config *c, uint32_t tag, struct result *r) {
    memset(r, 0, sizeof *r);
    r->query = c->query;
    r->rate = c->rate;
    uint64_t total = c->count ? c->count : (uint64_t)(c->rate * c->duration + 0.5);
    if (c->rate <= 0 && !c->count) total = MAX_COUNT - 1;
    if (total >= MAX_COUNT) total = MAX_COUNT - 1;
    if (total == 0) total = 1;
    if (c->query == Q_GET_STORED && stored_count == 0) {
        fprintf(stderr, "get_stored needs --store N first\n");
        return -1;
    }
    memset(hist, 0, sizeof(uint32_t) * HIST_US);
    hist_over = 0;
    memset(sent_at, 0, sizeof(uint64_t) * total);
    memset(answered_bits, 0, (total + 7) / 8);

    struct template tpl;
    build_template(&tpl, c->query);
    static uint8_t out[BATCH][256];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        memcpy(out[i], tpl.bytes, tpl.len);
        iov[i].iov_base = out[i];
        iov[i].iov_len = tpl.len;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = (void *)&c->target;
        msgs[i].msg_hdr.msg_namelen = sizeof c->target;
    }

    uint64_t start = now_ns();
    uint64_t send_end = start + (uint64_t)(c->duration * 1e9);
    uint64_t hard_end = send_end + (uint64_t)(c->drain * 1e9) + 1000000000ull;  // never run past this
    uint64_t next = 0, last_send = start, lo = 0;
    uint64_t timeout_ns = (uint64_t)(c->timeout * 1e9);
    while (!interrupted) {
        uint64_t t = now_ns();
        if (t >= hard_end) break;
        uint64_t due;
        if (next >= total || t >= send_end) due = next;  // sending is over
        else if (c->rate > 0) {
            due = (uint64_t)((double)(t - start) * c->rate / 1e9) + 1;
            if (due > total) due = total;
        } else {
            // Window mode: a query answered or older than the timeout no longer counts as outstanding.
            while (lo < next && ((answered_bits[lo >> 3] & (1u << (lo & 7))) || t - sent_at[lo] > timeout_ns)) lo++;
            due = lo + c->window;
            if (due > total) due = total;
        }
        int did = 0;
        while (next < due) {
            int n = 0;
            uint64_t ts = now_ns();
            while (n < BATCH && next < due) {
                write_tid(out[n] + tpl.tid_off, tag, (uint32_t)next);
                if (tpl.target_off) {
                    if (c->query == Q_GET_STORED) memcpy(out[n] + tpl.target_off, stored[rng() % stored_count], 20);
                    else rng_fill(out[n] + tpl.target_off, 20);
                }
                sent_at[next] = ts;
                n++;
                next++;
            }
            int s = sendmmsg(sock, msgs, (unsigned)n, 0);
            if (s < n) {
                // The socket buffer is full: the rest of the batch was not sent; take those back.
                int back = n - (s < 0 ? 0 : s);
                next -= (uint64_t)back;
                for (int i = 0; i < back; i++) sent_at[next + (uint64_t)i] = 0;
                break;
            }
            last_send = ts;
            did = 1;
            if (n == BATCH) receive_all(tag, (uint32_t)total, r, &lo);
        }
        receive_all(tag, (uint32_t)total, r, &lo);
        if (next >= due && (next >= total || t >= send_end)) {
            if (r->answered >= next) break;
            if (t > last_send + (uint64_t)(c->drain * 1e9)) break;
        }
        if (!did) {
            // Sleep until the next send is due or a reply arrives.
            uint64_t wait_ns = 200000;
            if (c->rate > 0 && next < total && t < send_end) {
                uint64_t next_due = start + (uint64_t)((double)next * 1e9 / c->rate);
                wait_ns = next_due > t ? next_due - t : 0;
                if (wait_ns > 200000) wait_ns = 200000;
            }
            if (wait_ns > 20000) {
                struct pollfd p = {.fd = sock, .events = POLLIN};
                struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)wait_ns};
                ppoll(&p, 1, &ts, NULL);
            }
        }
    }
    uint64_t finished = now_ns();
    if (trace_out) {
        // One line per query: sequence number, send time from the start (us), latency + 1 (us; 0 = no answer).
        for (uint64_t i = 0; i < next; i++)
            fprintf(trace_out, "%" PRIu64 " %" PRIu64 " %u\n", i, (sent_at[i] - start) / 1000, lat_trace[i]);
        fclose(trace_out);
        trace_out = NULL;
    }
    r->sent = next;
    double send_secs = (double)((last_send > start ? last_send : finished) - start) / 1e9;
    if (send_secs <= 0) send_secs = 1e-9;
    r->elapsed = send_secs;
    if (c->rate <= 0) r->rate = (double)r->sent / send_secs;
    r->answers_per_s = (double)r->answered / send_secs;
    r->loss_pct = r->sent ? 100.0 * (double)(r->sent - r->answered) / (double)r->sent : 0;
    uint64_t in_hist = r->answered - hist_over;
    r->p50_ms = percentile_ms(in_hist, 0.50);
    r->p90_ms = percentile_ms(in_hist, 0.90);
    r->p99_ms = percentile_ms(in_hist, 0.99);
    r->max_ms = hist_over ? HIST_US / 1000.0 : percentile_ms(in_hist, 1.0);
    r->p99_sent_ms = p99_sent_ms(r->sent, r->answered);
    return 0;
}

static FILE *json_out = NULL;
static const char *label = "";

static void report(const struct result *r, const char *mode) {
    printf("%-10s %-9s rate %8.0f/s  sent %8" PRIu64 "  answered %8" PRIu64 "  errors %6" PRIu64
           "  loss %6.2f%%  answers/s %8.0f  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms\n",
           qnames[r->query], mode, r->rate, r->sent, r->answered, r->errors, r->loss_pct, r->answers_per_s,
           r->p50_ms, r->p90_ms, r->p99_ms);
    fflush(stdout);
    if (json_out) {
        fprintf(json_out,
                "{\"label\":\"%s\",\"mode\":\"%s\",\"query\":\"%s\",\"rate\":%.0f,\"sent\":%" PRIu64 ",\"answered\":%" PRIu64
                ",\"errors\":%" PRIu64 ",\"stale\":%" PRIu64 ",\"unreadable\":%" PRIu64 ",\"loss_pct\":%.3f,\"answers_per_s\":%.0f"
                ",\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p99_sent_ms\":%.3f,\"elapsed_s\":%.3f}\n",
                label, mode, qnames[r->query], r->rate, r->sent, r->answered, r->errors, r->stale, r->unreadable,
                r->loss_pct, r->answers_per_s, r->p50_ms, r->p90_ms, r->p99_ms, r->p99_sent_ms, r->elapsed);
        fflush(json_out);
    }
}

static void pause_s(double s) {
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

// ---- BEP 44 immutable puts, so that "get_stored" reads items the node really holds ------------------------

// Sends one query and waits for the reply with the given transaction id; returns its length or -1.
static int exchange(const struct sockaddr_in *to, const uint8_t *q, size_t qn, uint32_t tag, uint32_t seq,
                    uint8_t *reply, size_t cap) {
    for (int attempt = 0; attempt < 3; attempt++) {
        sendto(sock, q, qn, 0, (const struct sockaddr *)to, sizeof *to);
        uint64_t deadline = now_ns() + 1000000000ull;
        while (now_ns() < deadline && !interrupted) {
            struct pollfd p = {.fd = sock, .events = POLLIN};
            if (poll(&p, 1, 100) <= 0) continue;
            ssize_t n = recv(sock, reply, cap, MSG_DONTWAIT);
            if (n <= 0) continue;
            uint32_t rt, rs;
            if (read_reply(reply, (size_t)n, &rt, &rs) && rt == tag && rs == seq) return (int)n;
        }
    }
    return -1;
}

static int store_items(const struct sockaddr_in *to, int count, uint32_t tag) {
    int ok = 0;
    for (int i = 0; i < count && i < MAX_STORED && !interrupted; i++) {
        char value[64];
        uint8_t encoded[80];
        int vn = snprintf(value, sizeof value, "loadgen item %d %08x", i, (unsigned)(rng() & 0xffffffff));
        int en = snprintf((char *)encoded, sizeof encoded, "%d:%s", vn, value);
        uint8_t target[20];
        sha1(encoded, (size_t)en, target);

        struct template g;
        build_template(&g, Q_GET);
        memcpy(g.bytes + g.target_off, target, 20);
        write_tid(g.bytes + g.tid_off, tag, (uint32_t)(2 * i));
        uint8_t reply[MAX_DGRAM];
        int rn = exchange(to, g.bytes, g.len, tag, (uint32_t)(2 * i), reply, sizeof reply);
        if (rn < 0) continue;
        const uint8_t *end = reply + rn, *vend;
        const uint8_t *body = bdict_find(reply, end, "r", &vend);
        const uint8_t *tokv = body ? bdict_find(body, vend, "token", NULL) : NULL;
        const uint8_t *tok; size_t tokn;
        if (!tokv || !bstring(tokv, end, &tok, &tokn) || tokn > 64) continue;

        uint8_t q[512];
        size_t o = 0;
        o = put_str(q, o, "d1:ad2:id20:");
        o = put_bytes(q, o, node_id, 20);
        char num[32];
        snprintf(num, sizeof num, "5:token%zu:", tokn);
        o = put_str(q, o, num);
        o = put_bytes(q, o, tok, tokn);
        o = put_str(q, o, "1:v");
        o = put_bytes(q, o, encoded, (size_t)en);
        o = put_str(q, o, "e1:q3:put");
        if (read_only) o = put_str(q, o, "2:roi1e");
        o = put_str(q, o, "1:t4:");
        write_tid(q + o, tag, (uint32_t)(2 * i + 1));
        o += TID_LEN;
        o = put_str(q, o, "1:y1:qe");
        rn = exchange(to, q, o, tag, (uint32_t)(2 * i + 1), reply, sizeof reply);
        if (rn < 0) continue;
        uint32_t rt, rs;
        if (read_reply(reply, (size_t)rn, &rt, &rs) != 'r') continue;
        memcpy(stored[stored_count++], target, 20);
        ok++;
    }
    return ok;
}

// ---- self test --------------------------------------------------------------------------------------------

static int selftest(void) {
    int fail = 0;
    uint8_t h[20];
    sha1((const uint8_t *)"abc", 3, h);
    static const uint8_t abc[20] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                    0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};
    if (memcmp(h, abc, 20)) { puts("FAIL sha1(abc)"); fail++; }
    // BEP 44's immutable example: the value "Hello World!" has target e5f96f6f38320f0f33959cb4d3d656452117aadb.
    sha1((const uint8_t *)"12:Hello World!", 15, h);
    static const uint8_t hello[20] = {0xe5, 0xf9, 0x6f, 0x6f, 0x38, 0x32, 0x0f, 0x0f, 0x33, 0x95,
                                      0x9c, 0xb4, 0xd3, 0xd6, 0x56, 0x45, 0x21, 0x17, 0xaa, 0xdb};
    if (memcmp(h, hello, 20)) { puts("FAIL sha1(BEP 44 example)"); fail++; }

    memcpy(node_id, "abcdefghij0123456789", 20);
    struct template t;
    build_template(&t, Q_PING);
    write_tid(t.bytes + t.tid_off, 'a', ('a' << 16) | ('a' << 8) | 'a');
    // BEP 5's example ping with a 4-byte transaction id "aaaa".
    const char *ping = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t4:aaaa1:y1:qe";
    if (t.len != strlen(ping) || memcmp(t.bytes, ping, t.len)) { puts("FAIL ping encoding"); fail++; }
    build_template(&t, Q_FIND_NODE);
    memcpy(t.bytes + t.target_off, "mnopqrstuvwxyz123456", 20);
    write_tid(t.bytes + t.tid_off, 'a', ('a' << 16) | ('a' << 8) | 'a');
    const char *fn = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t4:aaaa1:y1:qe";
    if (t.len != strlen(fn) || memcmp(t.bytes, fn, t.len)) { puts("FAIL find_node encoding"); fail++; }
    for (int q = Q_PING; q <= Q_FIND_VALUE; q++) {
        build_template(&t, (enum qtype)q);
        if (bskip(t.bytes, t.bytes + t.len, 0) != t.bytes + t.len) { printf("FAIL %s is not one bencoded value\n", qnames[q]); fail++; }
    }
    static const char reply[] = "d2:ip6:\x7f\x00\x00\x01\x1a\xe1" "1:rd2:id20:mnopqrstuvwxyz123456e1:t4:\x05\x00\x01\x02" "1:y1:re";
    uint32_t tag, seq;
    if (read_reply((const uint8_t *)reply, sizeof reply - 1, &tag, &seq) != 'r' || tag != 5 || seq != 0x102) { puts("FAIL reply parsing"); fail++; }
    static const char err[] = "d1:eli201e23:A Generic Error Ocurrede1:t4:\x01\x00\x00\x07" "1:y1:ee";
    if (read_reply((const uint8_t *)err, sizeof err - 1, &tag, &seq) != 'e' || seq != 7) { puts("FAIL error parsing"); fail++; }
    if (read_reply((const uint8_t *)"d1:t4:ab", 8, &tag, &seq) != 0) { puts("FAIL truncated reply accepted"); fail++; }

    memset(hist, 0, sizeof(uint32_t) * HIST_US);
    for (int i = 1; i <= 100; i++) hist[i * 10]++;  // 10 us .. 1000 us
    double p50 = percentile_ms(100, 0.5), p99 = percentile_ms(100, 0.99);
    if (p50 != 0.51 || p99 != 1.0) { printf("FAIL percentiles %.3f %.3f\n", p50, p99); fail++; }
    // 100 answers: with 1 of 101 lost the 99th percentile is still an answer; with 2 of 102 it is "no answer".
    if (p99_sent_ms(100, 100) != 1.0 || p99_sent_ms(101, 100) != 1.0 || p99_sent_ms(102, 100) != -1 || p99_sent_ms(200, 100) != -1) {
        puts("FAIL p99 over sent queries"); fail++;
    }
    printf("%d passed, %d failed\n", 9 - fail, fail);
    return fail ? 1 : 0;
}

// ---- main ---------------------------------------------------------------------------------------------------

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen --target 127.0.0.1:PORT [--query ping|find_node|get_peers|get|get_stored|find_value]\n"
            "               [--rate R | --rate 0 --window W] [--duration S] [--count N] [--drain S]\n"
            "               [--sweep [--from R] [--max R] [--threshold PCT] [--steps N]]\n"
            "               [--store N] [--ro] [--json FILE] [--label L] [--seed N] [--quiet] [--trace FILE]\n"
            "       loadgen --selftest\n");
}

int main(int argc, char **argv) {
    struct config c = {.query = Q_PING, .rate = 10000, .duration = 2, .window = 256, .drain = 0.5, .timeout = 1.0};
    int sweep = 0, store = 0, max_steps = 14, tries = 1;
    double from = 5000, max_rate = 400000, threshold = 1.0, pause = 0.5;
    const char *target = NULL;
    hist = calloc(HIST_US, sizeof(uint32_t));
    rng_state ^= (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (strcmp(a, "--selftest") == 0) return selftest();
        else if (ARG("--target")) target = v;
        else if (ARG("--query")) {
            int found = 0;
            for (int q = Q_PING; q <= Q_FIND_VALUE; q++) if (strcmp(v, qnames[q]) == 0) { c.query = (enum qtype)q; found = 1; }
            if (!found) { usage(); return 2; }
        }
        else if (ARG("--rate")) c.rate = atof(v);
        else if (ARG("--duration")) c.duration = atof(v);
        else if (ARG("--count")) c.count = (uint32_t)strtoul(v, NULL, 10);
        else if (ARG("--window")) c.window = (uint32_t)strtoul(v, NULL, 10);
        else if (ARG("--drain")) c.drain = atof(v);
        else if (ARG("--from")) from = atof(v);
        else if (ARG("--max")) max_rate = atof(v);
        else if (ARG("--threshold")) threshold = atof(v);
        else if (ARG("--steps")) max_steps = atoi(v);
        else if (ARG("--tries")) tries = atoi(v);
        else if (ARG("--pause")) pause = atof(v);
        else if (ARG("--store")) store = atoi(v);
        else if (ARG("--trace")) { trace_out = fopen(v, "w"); if (!trace_out) { perror(v); return 2; } }
        else if (ARG("--json")) { json_out = fopen(v, "a"); if (!json_out) { perror(v); return 2; } }
        else if (ARG("--label")) label = v;
        else if (ARG("--seed")) rng_state = strtoull(v, NULL, 10) | 1;
        else if (strcmp(a, "--sweep") == 0) sweep = 1;
        else if (strcmp(a, "--ro") == 0) read_only = 1;
        else if (strcmp(a, "--quiet") == 0) c.quiet = 1;
        else { usage(); return 2; }
    }
    if (!target) { usage(); return 2; }
    const char *colon = strrchr(target, ':');
    if (!colon) { usage(); return 2; }
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - target), target);
    c.target.sin_family = AF_INET;
    c.target.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &c.target.sin_addr) != 1 || (ntohl(c.target.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "loadgen: the target must be an IPv4 loopback address (127.0.0.0/8), got %s\n", host);
        return 2;
    }
    if (c.duration <= 0 || c.duration > 60) { fprintf(stderr, "loadgen: --duration must be in (0, 60] seconds\n"); return 2; }
    if (max_steps < 1 || max_steps > 30) max_steps = 30;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    rng_fill(node_id, 20);
    sock = socket(AF_INET, SOCK_DGRAM, 0);
    int buf = 8 << 20;
    setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7F000001)};
    if (bind(sock, (struct sockaddr *)&local, sizeof local) < 0) { perror("bind"); return 1; }
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);

    uint64_t cap = MAX_COUNT;
    sent_at = calloc(cap, sizeof(uint64_t));
    if (trace_out) lat_trace = calloc(cap, sizeof(uint32_t));
    answered_bits = calloc(cap / 8 + 1, 1);
    uint32_t tag = (uint32_t)(rng() & 0x7f);

    if (store > 0) {
        int fl = fcntl(sock, F_GETFL);
        int ok = store_items(&c.target, store, (tag + 200) & 0xff);
        fcntl(sock, F_SETFL, fl);
        printf("stored %d of %d immutable items\n", ok, store);
        if (ok == 0 && c.query == Q_GET_STORED) { fprintf(stderr, "loadgen: no item was stored\n"); return 1; }
        pause_s(0.2);
    }

    struct result r;
    if (!sweep) {
        if (run(&c, tag, &r) < 0) return 2;
        report(&r, c.rate > 0 ? "fixed" : "window");
        return 0;
    }

    // Sweep: double the rate until loss reaches the threshold, then bisect between the last pass and the
    // first failure until they are within 5 %; every step is a fresh run with its own transaction-id tag.
    double lo = 0, hi = 0, rate = from;
    struct result best = {0};
    int steps = 0;
    while (steps < max_steps && !interrupted) {
        c.rate = rate;
        c.count = 0;
        // A step passes only if the rate was really offered (a generator that fell behind proves nothing) and
        // loss stayed under the threshold; with --tries N a failed step is run again up to N times in all, for
        // machines where other work causes occasional stalls.
        int pass = 0;
        for (int attempt = 0; attempt < tries && !pass && !interrupted; attempt++) {
            if (attempt > 0) pause_s(pause);
            if (run(&c, (tag + (uint32_t)steps * 4 + (uint32_t)attempt + 1) & 0x7f, &r) < 0) return 2;
            report(&r, "step");
            double planned = rate * c.duration;
            pass = r.loss_pct < threshold && (double)r.sent >= 0.95 * planned;
        }
        steps++;
        if (pass) {
            lo = rate;
            best = r;
            if (hi == 0) {
                if (rate >= max_rate) break;
                rate = rate * 2 > max_rate ? max_rate : rate * 2;
            }
        } else {
            hi = rate;
        }
        if (hi > 0) {
            if (lo > 0 && hi / lo < 1.05) break;
            if (lo == 0 && hi <= from / 8) break;
            rate = lo > 0 ? (lo + hi) / 2 : hi / 2;
        }
        pause_s(pause);  // let the target drain its socket before the next step
    }
    if (lo > 0) {
        report(&best, "best");
    } else {
        fprintf(stderr, "loadgen: no rate passed (loss below %.1f%%)\n", threshold);
        best.query = c.query;
        report(&best, "best");
    }
    return 0;
}
