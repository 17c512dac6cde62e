// echo: the baseline for loadgen. A trivial single-threaded UDP server that sends every datagram back
// unchanged (loadgen counts an echoed query as answered): the most any server can do on this machine.
// Usage: echo PORT [SECONDS]   (binds 127.0.0.1, exits after SECONDS, default 600)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: echo PORT [SECONDS]\n"); return 2; }
    int seconds = argc > 2 ? atoi(argv[2]) : 600;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int buf = 8 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])), .sin_addr.s_addr = htonl(0x7F000001)};
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    printf("{\"event\":\"ready\",\"port\":%d}\n", ntohs(a.sin_port));
    fflush(stdout);
    static char bufs[BATCH][2048];
    struct sockaddr_in from[BATCH];
    struct iovec iov[BATCH];
    struct mmsghdr m[BATCH];
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0) continue;
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i]; iov[i].iov_len = sizeof bufs[i];
            memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
            m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1;
            m[i].msg_hdr.msg_name = &from[i]; m[i].msg_hdr.msg_namelen = sizeof from[i];
        }
        int n = recvmmsg(s, m, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) continue;
        for (int i = 0; i < n; i++) iov[i].iov_len = m[i].msg_len;
        sendmmsg(s, m, (unsigned)n, 0);
    }
    return 0;
}
