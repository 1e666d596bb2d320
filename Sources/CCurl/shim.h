#ifndef MOAT_CCURL_SHIM_H
#define MOAT_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
   call, so each argument type MoatHTTP passes gets a typed wrapper. */

static inline CURLcode moat_curl_setopt_long(CURL *handle, CURLoption option, long value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode moat_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode moat_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode moat_curl_setopt_write_callback(CURL *handle, CURLoption option,
                                                       curl_write_callback callback)
{
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode moat_curl_setopt_xferinfo_callback(CURL *handle,
                                                          curl_xferinfo_callback callback)
{
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode moat_curl_getinfo_long(CURL *handle, CURLINFO info, long *value)
{
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode moat_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value)
{
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode moat_curl_getinfo_socket(CURL *handle, CURLINFO info, curl_socket_t *value)
{
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode moat_curl_getinfo_pointer(CURL *handle, CURLINFO info, char **value)
{
    return curl_easy_getinfo(handle, info, value);
}

/* curl_multi_setopt is variadic too. */
static inline CURLMcode moat_curl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value)
{
    return curl_multi_setopt(multi, option, value);
}

static inline CURLMcode moat_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value)
{
    return curl_multi_setopt(multi, option, value);
}

static inline CURLMcode moat_curl_multi_setopt_socket_callback(CURLM *multi, curl_socket_callback callback)
{
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
}

static inline CURLMcode moat_curl_multi_setopt_timer_callback(CURLM *multi, curl_multi_timer_callback callback)
{
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback);
}

#endif
