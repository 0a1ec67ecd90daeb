/*
 * TLS over an IOD with OpenSSL: the client handshake of st_ev_connect_ssl()
 * stepped by the loop (each step says whether it next needs the socket
 * readable or writable), then SSL_read/SSL_write for the IOD's reads and
 * writes. Certificates are not verified: a scanner talks to whatever
 * answers, as nsock does at its "max speed" setting.
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ev_internal.h"

static SSL_CTX *pool_ctx(st_ev_pool *pool)
{
    if (pool->ssl_ctx)
        return pool->ssl_ctx;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    /* A peer that closes without close_notify has simply reached EOF. */
    SSL_CTX_set_options(ctx, SSL_OP_ALL | SSL_OP_IGNORE_UNEXPECTED_EOF);
    pool->ssl_ctx = ctx;
    return ctx;
}

int st_ev__ssl_start(st_ev_pool *pool, st_ev_event *ev)
{
    st_ev_iod *iod = ev->iod;
    SSL_CTX *ctx = pool_ctx(pool);
    if (!ctx)
        return -ENOMEM;
    SSL *ssl = SSL_new(ctx);
    if (!ssl)
        return -ENOMEM;
    if (!SSL_set_fd(ssl, iod->fd) ||
        (iod->hostname && !SSL_set_tlsext_host_name(ssl, iod->hostname))) {
        SSL_free(ssl);
        return -EPROTO;
    }
    SSL_set_connect_state(ssl);
    iod->ssl = ssl;
    iod->ssl_handshaking = true;
    iod->ssl_want = ST_EV_WANT_WRITE;
    return 0;
}

/* errno for an OpenSSL failure: the socket's own error when there is one. */
static int ssl_errno(int code)
{
    if (code == SSL_ERROR_SYSCALL && errno)
        return errno;
    return code == SSL_ERROR_SYSCALL ? ECONNRESET : EPROTO;
}

void st_ev__ssl_handshake_step(st_ev_pool *pool, st_ev_event *ev)
{
    st_ev_iod *iod = ev->iod;
    ERR_clear_error();
    errno = 0;
    int rc = SSL_connect(iod->ssl);
    if (rc == 1) {
        iod->ssl_handshaking = false;
        iod->ssl_want = 0;
        st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
        return;
    }
    int code = SSL_get_error(iod->ssl, rc);
    if (code == SSL_ERROR_WANT_READ)
        iod->ssl_want = ST_EV_WANT_READ;
    else if (code == SSL_ERROR_WANT_WRITE)
        iod->ssl_want = ST_EV_WANT_WRITE;
    else
        st_ev__complete(pool, ev, ST_EV_ERROR, ssl_errno(code));
}

long st_ev__ssl_read(st_ev_iod *iod, void *buf, size_t len)
{
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(iod->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
    if (n > 0)
        return n;
    int code = SSL_get_error(iod->ssl, n);
    if (code == SSL_ERROR_ZERO_RETURN)
        return 0;
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        return -EAGAIN;
    if (code == SSL_ERROR_SYSCALL && errno == 0)
        return 0;
    return -ssl_errno(code);
}

long st_ev__ssl_write(st_ev_iod *iod, const void *buf, size_t len)
{
    ERR_clear_error();
    errno = 0;
    int n = SSL_write(iod->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
    if (n > 0)
        return n;
    int code = SSL_get_error(iod->ssl, n);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        return -EAGAIN;
    return -ssl_errno(code);
}

void st_ev__ssl_free_iod(st_ev_iod *iod)
{
    if (iod->ssl) {
        SSL_free(iod->ssl);
        iod->ssl = NULL;
    }
}

void st_ev__ssl_free_pool(st_ev_pool *pool)
{
    if (pool->ssl_ctx) {
        SSL_CTX_free(pool->ssl_ctx);
        pool->ssl_ctx = NULL;
    }
}
