#ifndef MOAT_CHTTPPARSER_SHIM_H
#define MOAT_CHTTPPARSER_SHIM_H
#include <http_parser.h>

/* Node's http_parser (Debian's libhttp-parser-dev, 2.9.4). Its result fields
   are C bit-fields, so Swift reads them through these accessors. */

static inline unsigned int moat_http_parser_status(const http_parser *parser)
{
    return parser->status_code;
}

static inline unsigned int moat_http_parser_errno(const http_parser *parser)
{
    return parser->http_errno;
}

static inline int moat_http_parser_is_upgrade(const http_parser *parser)
{
    return parser->upgrade;
}

/* Whether the current message has a Content-Length field, from the F_* flags. */
static inline int moat_http_parser_has_content_length(const http_parser *parser)
{
    return (parser->flags & F_CONTENTLENGTH) != 0;
}

/* The request method of the current message (a bit-field). */
static inline enum http_method moat_http_parser_method(const http_parser *parser)
{
    return (enum http_method) parser->method;
}

/* Whether the current message has chunked framing, from the F_* flags. */
static inline int moat_http_parser_is_chunked(const http_parser *parser)
{
    return (parser->flags & F_CHUNKED) != 0;
}

#endif
