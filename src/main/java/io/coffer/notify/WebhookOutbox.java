package io.coffer.notify;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code webhook_deliveries} table: deliveries written when their event is published, claimed by
 * one instance at a time for an attempt, and kept a while once delivered or given up on. Times are
 * the catalogue's ({@code now()}), so that instances with skewed clocks agree on what is due.
 */
@Repository
class WebhookOutbox {

	static final String PENDING = "pending";

	static final String DELIVERED = "delivered";

	static final String FAILED = "failed";

	private final JdbcClient jdbc;

	WebhookOutbox(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** A delivery of an event to one receiver, with what its request is made of. */
	record Delivery(long id, String url, String eventType, String deliveryId, byte[] body, String signature,
			int attempts, int maxAttempts) {
	}

	/** Queues one delivery, due at once; it joins the publisher's transaction when there is one. */
	void add(String url, String eventType, String deliveryId, byte[] body, String signature, int maxAttempts) {
		this.jdbc.sql("""
				insert into webhook_deliveries (url, event_type, delivery_id, body, signature, max_attempts)
				values (?, ?, ?, ?, ?, ?)
				""").params(url, eventType, deliveryId, body, signature, maxAttempts).update();
	}

	/**
	 * Claims up to {@code limit} due deliveries for an attempt by this instance: each counts the attempt
	 * and is held for {@code lease} (rows another instance is claiming at the same moment are skipped,
	 * not waited for). A claim its instance never settles falls due again when the lease ends.
	 */
	List<Delivery> claim(String instanceId, int limit, Duration lease) {
		return this.jdbc.sql("""
				update webhook_deliveries set attempts = attempts + 1, claimed_by = ?,
					next_attempt_at = now() + make_interval(secs => ?)
				where id in (select id from webhook_deliveries where status = 'pending' and next_attempt_at <= now()
					order by next_attempt_at limit ? for update skip locked)
				returning id, url, event_type, delivery_id, body, signature, attempts, max_attempts
				""").params(instanceId, seconds(lease), limit)
			.query((rs, row) -> new Delivery(rs.getLong("id"), rs.getString("url"), rs.getString("event_type"),
					rs.getString("delivery_id"), rs.getBytes("body"), rs.getString("signature"), rs.getInt("attempts"),
					rs.getInt("max_attempts")))
			.list();
	}

	/** The receiver took it; nothing happens if the claim was lost meanwhile (its lease ended). */
	void delivered(Delivery delivery, String instanceId) {
		this.jdbc.sql("""
				update webhook_deliveries set status = 'delivered', finished_at = now(), claimed_by = null, last_error = null
				where id = ? and claimed_by = ? and attempts = ?
				""").params(delivery.id(), instanceId, delivery.attempts()).update();
	}

	/**
	 * The attempt failed: due again after {@code backoff}, or given up on once its attempts are spent.
	 * Answers the delivery's status now, empty if the claim was lost meanwhile.
	 */
	Optional<String> attemptFailed(Delivery delivery, String instanceId, Duration backoff, String error) {
		return this.jdbc.sql("""
				update webhook_deliveries set claimed_by = null, last_error = ?,
					status = case when attempts >= max_attempts then 'failed' else 'pending' end,
					finished_at = case when attempts >= max_attempts then now() end,
					next_attempt_at = now() + make_interval(secs => ?)
				where id = ? and claimed_by = ? and attempts = ?
				returning status
				""").params(error, seconds(backoff), delivery.id(), instanceId, delivery.attempts())
			.query(String.class)
			.optional();
	}

	/** How long until the next delivery falls due, if any is pending. */
	Optional<Duration> untilNextDue() {
		return this.jdbc.sql("""
				select greatest(0, extract(epoch from min(next_attempt_at) - now()) * 1000)::bigint
				from webhook_deliveries where status = 'pending' having count(*) > 0
				""").query(Long.class).optional().map(Duration::ofMillis);
	}

	/** Forgets deliveries delivered or given up on longer than {@code retention} ago; answers how many. */
	int deleteFinishedBefore(Duration retention) {
		return this.jdbc.sql("""
				delete from webhook_deliveries where status <> 'pending' and finished_at < now() - make_interval(secs => ?)
				""").param(seconds(retention)).update();
	}

	private static double seconds(Duration duration) {
		return duration.toMillis() / 1000.0;
	}

}
