/* endpoints.h: the broker's default ZeroMQ endpoints, where rescuedeskd binds and where the
 * console and the simulator connect unless told otherwise (proto/PROTOCOL.md, section 1).
 * Header only, so every program can name them without including the broker. */
#ifndef RD_ENDPOINTS_H
#define RD_ENDPOINTS_H

#define ENDPOINTS_DEFAULT_API "tcp://127.0.0.1:7710"  /* requests: ROUTER */
#define ENDPOINTS_DEFAULT_PUB "tcp://127.0.0.1:7711"  /* live updates: PUB */
#define ENDPOINTS_DEFAULT_FEED "tcp://127.0.0.1:7712" /* suppliers' feed: PULL */

#endif
