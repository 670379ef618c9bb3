package io.coffer.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.coffer.system.CofferInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Sends the deliveries of the {@link WebhookOutbox} that are due, whichever instance published them:
 * claimed a few at a time (so that one instance at a time sends a delivery), posted concurrently,
 * and on failure due again after a backoff that doubles at each attempt, until their attempts are
 * spent. Looks at the outbox every poll interval, sooner when a retry falls due or this instance
 * just published an event; one thread does it all, and nothing waits for a backoff.
 */
@Component
class WebhookDispatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

	private static final int BATCH = 20;

	// the outbox is rid of old rows now and then, not at every look
	private static final Duration CLEANUP_INTERVAL = Duration.ofHours(1);

	private final WebhookOutbox outbox;

	private final WebhookProperties settings;

	private final String instanceId;

	private final HttpClient http;

	private final Duration lease;

	private ScheduledExecutorService scheduler;

	private ScheduledFuture<?> nextPass;

	private Instant nextCleanup = Instant.MIN;

	private boolean plainBodiesSealed;

	WebhookDispatcher(WebhookOutbox outbox, WebhookProperties settings, CofferInstance instance) {
		this.outbox = outbox;
		this.settings = settings;
		this.instanceId = instance.id();
		this.http = HttpClient.newBuilder().connectTimeout(this.settings.timeout()).build();
		// long enough for a connection and an answer, both bounded by the timeout, to be over
		this.lease = this.settings.timeout().multipliedBy(2).plusSeconds(30);
	}

	/** Looks at the outbox at once: this instance just published an event. */
	void wake() {
		passIn(Duration.ZERO);
	}

	@Override
	public synchronized void start() {
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "webhook-dispatcher");
			thread.setDaemon(true);
			return thread;
		});
		this.nextPass = null;
		passIn(Duration.ZERO);
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler != null) {
			// a delivery being sent is claimed: another instance (or the next start) sends it after its lease
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.scheduler != null;
	}

	/**
	 * Schedules the next look in {@code delay}, unless one comes sooner already: a single pass is ever
	 * waiting, so that wake-ups do not pile up.
	 */
	private synchronized void passIn(Duration delay) {
		if (this.scheduler == null) {
			return;
		}
		if (this.nextPass != null && !this.nextPass.isDone()) {
			if (this.nextPass.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
				return;
			}
			this.nextPass.cancel(false);
		}
		this.nextPass = this.scheduler.schedule(this::pass, delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void pass() {
		synchronized (this) {
			// this pass is the one that was waiting: a wake-up from now on schedules another
			this.nextPass = null;
		}
		Duration next = this.settings.pollInterval();
		try {
			sealPlainBodies();
			while (deliverDue() == BATCH) {
				// a full batch: more may be due
			}
			next = this.outbox.untilNextDue().filter((due) -> due.compareTo(this.settings.pollInterval()) < 0)
				.orElse(next);
			cleanUp();
		}
		catch (RuntimeException ex) {
			// the catalogue may be down for a while: the next look tries again
			log.warn("Webhook deliveries could not be looked at: {}", ex.getMessage());
		}
		passIn(next);
	}

	/** Claims the deliveries due, sends them together and records each outcome; answers how many. */
	int deliverDue() {
		List<WebhookOutbox.Delivery> claimed = this.outbox.claim(this.instanceId, BATCH, this.lease);
		CompletableFuture<?>[] sent = claimed.stream()
			.map((delivery) -> send(delivery).handle((status, failure) -> {
				record(delivery, status, failure);
				return null;
			}))
			.toArray(CompletableFuture[]::new);
		CompletableFuture.allOf(sent).join();
		return claimed.size();
	}

	private CompletableFuture<Integer> send(WebhookOutbox.Delivery delivery) {
		if (delivery.body() == null) {
			// counted as a failed attempt: it is tried again, should the key come back to the keyring
			return CompletableFuture.failedFuture(new IllegalStateException(delivery.unreadable()));
		}
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(delivery.url()))
			.timeout(this.settings.timeout())
			.header("Content-Type", "application/json")
			.header(WebhookNotifier.EVENT, delivery.eventType())
			// the same on every attempt, so that a receiver can drop duplicates
			.header(WebhookNotifier.DELIVERY, delivery.deliveryId())
			.POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
		if (delivery.signature() != null) {
			request.header(WebhookNotifier.SIGNATURE, delivery.signature());
		}
		return this.http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
			.thenApply(HttpResponse::statusCode);
	}

	private void record(WebhookOutbox.Delivery delivery, Integer status, Throwable failure) {
		if (failure == null && status / 100 == 2) {
			this.outbox.delivered(delivery, this.instanceId);
			return;
		}
		String error = (failure != null) ? sentence(failure) : delivery.url() + " answered " + status;
		this.outbox.attemptFailed(delivery, this.instanceId, backoff(delivery.attempts()), error)
			.filter(WebhookOutbox.FAILED::equals)
			.ifPresent((given) -> log.warn("Webhook {} could not be delivered to {} after {} attempts: {}",
					delivery.eventType(), delivery.url(), delivery.attempts(), error));
	}

	/** The wait after the {@code attempts}-th failed attempt: the initial backoff, doubled each time, at most 64 times. */
	Duration backoff(int attempts) {
		int doublings = Math.min(Math.max(attempts - 1, 0), 6);
		return this.settings.initialBackoff().multipliedBy(1L << doublings);
	}

	/** Once per start: bodies queued by a version that kept them in plain text. */
	private void sealPlainBodies() {
		if (this.plainBodiesSealed) {
			return;
		}
		int sealed = this.outbox.sealPlainBodies();
		this.plainBodiesSealed = true;
		if (sealed > 0) {
			log.info("Sealed the bodies of {} webhook deliveries kept in plain text by an earlier version", sealed);
		}
	}

	private void cleanUp() {
		if (Instant.now().isBefore(this.nextCleanup)) {
			return;
		}
		this.nextCleanup = Instant.now().plus(CLEANUP_INTERVAL);
		int deleted = this.outbox.deleteFinishedBefore(this.settings.finishedRetention());
		if (deleted > 0) {
			log.info("Forgot {} webhook deliveries finished more than {} ago", deleted,
					this.settings.finishedRetention());
		}
	}

	/** What went wrong with a request, for the log and {@code last_error}: a refused connection has no message. */
	private static String sentence(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
	}

}
