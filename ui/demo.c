/* demo.c: a broker and a simulator in threads of the console (demo.h). */
#include "demo.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "sim.h"
#include "util.h"

#define DEMO_API "inproc://rescuedesk-api"
#define DEMO_PUB "inproc://rescuedesk-pub"
#define DEMO_FEED "inproc://rescuedesk-feed"

struct demo {
	char dir[64];
	double speed;
	struct broker *broker;
	struct sim *sim;
	pthread_t broker_th, sim_th;
	bool broker_running, sim_running;
	volatile sig_atomic_t broker_stop;
	volatile sig_atomic_t sim_stop;
};

static void *
broker_main(void *arg)
{
	struct demo *d = arg;
	broker_run(d->broker, &d->broker_stop);
	return NULL;
}

static void *
sim_main(void *arg)
{
	struct demo *d = arg;
	sim_run(d->sim, &d->sim_stop);
	return NULL;
}

struct demo *
demo_start(void *zctx, const struct demo_opts *o, char **cause)
{
	struct demo *d = xcalloc(1, sizeof *d);
	char db[96];

	d->speed = o->speed > 0 ? o->speed : 30;
	rd_strlcpy(d->dir, "/tmp/rescuedesk-demo-XXXXXX", sizeof d->dir);
	if (mkdtemp(d->dir) == NULL) {
		xasprintf(cause, "cannot make a temporary directory: %s", strerror(errno));
		d->dir[0] = '\0';
		goto fail;
	}
	snprintf(db, sizeof db, "%s/demo.db", d->dir);
	struct broker_opts bo = {
		.api = DEMO_API, .pub = DEMO_PUB, .feed = DEMO_FEED, .db = db,
		.data_dir = o->data_dir, .sync = STORE_SYNC_NORMAL, .time_scale = d->speed,
	};
	if ((d->broker = broker_create(zctx, &bo, cause)) == NULL)
		goto fail;
	pthread_create(&d->broker_th, NULL, broker_main, d);
	d->broker_running = true;
	struct sim_opts so;
	sim_opts_init(&so);
	so.api = DEMO_API;
	so.pub = DEMO_PUB;
	so.feed = DEMO_FEED;
	so.data_dir = o->data_dir;
	so.speed = d->speed;
	so.seed = o->seed ? o->seed : (unsigned long)rd_now_ms();
	/* sustainable demand for the demo fleet, after an opening burst so that a newcomer
	 * sees a busy centre within two seconds */
	so.rate = o->rate > 0 ? o->rate : 45;
	so.burst = 14;
	/* the simulator plays the specialist on its calls unless people want them */
	so.diagnose = !o->people_diagnose;
	if ((d->sim = sim_create(zctx, &so, cause)) == NULL)
		goto fail;
	pthread_create(&d->sim_th, NULL, sim_main, d);
	d->sim_running = true;
	return d;
fail:
	demo_stop(d);
	return NULL;
}

void
demo_stop(struct demo *d)
{
	if (d == NULL)
		return;
	if (d->sim_running) {
		d->sim_stop = 1;
		pthread_join(d->sim_th, NULL);
	}
	sim_destroy(d->sim);
	if (d->broker_running) {
		d->broker_stop = 1;
		pthread_join(d->broker_th, NULL);
	}
	broker_destroy(d->broker);
	if (d->dir[0]) {
		char path[128];
		const char *files[] = { "demo.db", "demo.db-wal", "demo.db-shm" };
		for (size_t i = 0; i < ARRAY_LEN(files); i++) {
			snprintf(path, sizeof path, "%s/%s", d->dir, files[i]);
			unlink(path);
		}
		rmdir(d->dir);
	}
	free(d);
}

const char *
demo_api(void)
{
	return DEMO_API;
}

const char *
demo_pub(void)
{
	return DEMO_PUB;
}

double
demo_speed(const struct demo *d)
{
	return d->speed;
}
