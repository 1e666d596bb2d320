#ifndef MOAT_CMICROHTTPD_SHIM_H
#define MOAT_CMICROHTTPD_SHIM_H
#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdarg.h>
#include <microhttpd.h>

/* Swift cannot call C variadic functions, so the variadic entry points
   MoatHTTP needs are wrapped here with fixed, typed parameters. */

/* Signature of MHD_OPTION_URI_LOG_CALLBACK (microhttpd.h does not name it). */
typedef void *(*moat_mhd_uri_log_callback)(void *cls, const char *uri,
                                           struct MHD_Connection *connection);

/* Starts a daemon on an already bound and listening socket. A thread_count
   of 0 leaves out MHD_OPTION_THREAD_POOL_SIZE, because libmicrohttpd logs a
   warning for a pool size of 0 and an event loop's daemon has no threads. */
static inline struct MHD_Daemon *
moat_mhd_start_daemon(unsigned int flags, MHD_socket listen_socket,
                      MHD_AcceptPolicyCallback accept_policy, void *accept_policy_cls,
                      MHD_AccessHandlerCallback access_handler, void *access_cls,
                      MHD_RequestCompletedCallback completed, void *completed_cls,
                      moat_mhd_uri_log_callback uri_log, void *uri_log_cls,
                      MHD_LogCallback logger, void *logger_cls,
                      size_t memory_limit, unsigned int connection_limit,
                      unsigned int timeout_seconds, unsigned int thread_count)
{
    /* A daemon started with MHD_USE_NO_LISTEN_SOCKET gets no listening socket. */
    struct MHD_OptionItem listening[] = {
        { listen_socket >= 0 ? MHD_OPTION_LISTEN_SOCKET : MHD_OPTION_END, (intptr_t) listen_socket, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_OptionItem thread_pool[] = {
        { thread_count > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t) thread_count, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    return MHD_start_daemon(flags, 0, accept_policy, accept_policy_cls, access_handler, access_cls,
                            MHD_OPTION_EXTERNAL_LOGGER, logger, logger_cls,
                            MHD_OPTION_ARRAY, listening,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_log, uri_log_cls,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_ARRAY, thread_pool,
                            MHD_OPTION_STRICT_FOR_CLIENT, (int) 1,
                            MHD_OPTION_END);
}

/* Returns the peer address of a connection, or NULL when unknown. */
static inline const struct sockaddr *
moat_mhd_client_address(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/* Returns the socket of a connection, or -1 when unknown. */
static inline int
moat_mhd_connection_socket(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/* Closes an upgraded connection (MHD_upgrade_action is variadic). */
static inline enum MHD_Result
moat_mhd_upgrade_close(struct MHD_UpgradeResponseHandle *urh)
{
    return MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

/* Returns the epoll descriptor of a daemon started with MHD_USE_EPOLL and
   no internal thread, or -1. */
static inline int
moat_mhd_epoll_fd(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info == NULL ? -1 : info->epoll_fd;
}

/* Returns the number of open connections of a daemon, or 0 when unknown. */
static inline unsigned int
moat_mhd_connection_count(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? 0 : info->num_connections;
}

/* Returns how many milliseconds the caller may wait before MHD_run must be
   called again, or -1 when libmicrohttpd needs no timed call. */
static inline long long
moat_mhd_timeout_ms(struct MHD_Daemon *daemon)
{
    MHD_UNSIGNED_LONG_LONG timeout = 0;
    if (MHD_get_timeout(daemon, &timeout) != MHD_YES)
        return -1;
    return timeout > (MHD_UNSIGNED_LONG_LONG) INT32_MAX ? INT32_MAX : (long long) timeout;
}

/* struct epoll_event is packed on x86-64, which Swift does not import
   reliably, so the event loop reaches epoll through these two wrappers.
   Each descriptor carries a 64-bit tag that epoll returns with its events. */
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* accept4 is a GNU extension that <sys/socket.h> declares only with
   _GNU_SOURCE; glibc always exports it. */
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/* Accepts a connection as a non-blocking, close-on-exec socket. */
static inline int
moat_accept_nonblocking(int listener, struct sockaddr *address, socklen_t *length)
{
    return accept4(listener, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* Creates the non-blocking eventfd that wakes an event loop from other threads. */
static inline int
moat_wake_descriptor(void)
{
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static inline int
moat_epoll_control(int epoll_fd, int operation, int fd, uint32_t events, uint64_t tag)
{
    struct epoll_event event;
    event.events = events;
    event.data.u64 = tag;
    return epoll_ctl(epoll_fd, operation, fd, &event);
}

/* Waits like epoll_wait and copies each ready descriptor's tag and events
   into the two arrays of capacity entries. */
static inline int
moat_epoll_wait(int epoll_fd, uint64_t *tags, uint32_t *events, int capacity, int timeout_ms)
{
    struct epoll_event ready[64];
    if (capacity > 64)
        capacity = 64;
    int count = epoll_wait(epoll_fd, ready, capacity, timeout_ms);
    for (int index = 0; index < count; index++) {
        tags[index] = ready[index].data.u64;
        events[index] = ready[index].events;
    }
    return count;
}

#endif
