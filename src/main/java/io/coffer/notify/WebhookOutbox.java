package io.coffer.notify;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.crypto.Keyring;
import io.coffer.crypto.UnknownKeyException;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code webhook_deliveries} table: deliveries written when their event is published, claimed by
 * one instance at a time for an attempt, and kept a while once delivered or given up on. Times are
 * the catalogue's ({@code now()}), so that instances with skewed clocks agree on what is due.
 * <p>
 * A body may hold a database's REDIS_URL with its password, so it is stored sealed by the keyring's
 * newest key, bound to its receiver, event and delivery id: whoever reads the catalogue learns
 * nothing from it, and a body moved to another row (to another receiver) does not open. Rows written
 * before bodies were sealed have no key id and are sent as they are.
 */
@Repository
class WebhookOutbox {

	static final String PENDING = "pending";

	static final String DELIVERED = "delivered";

	static final String FAILED = "failed";

	private final JdbcClient jdbc;

	private final Keyring keyring;

	WebhookOutbox(JdbcClient jdbc, Keyring keyring) {
		this.jdbc = jdbc;
		this.keyring = keyring;
	}

	/**
	 * A delivery of an event to one receiver, with what its request is made of: its body in plain text,
	 * or null when the stored body could not be opened, with why in {@code unreadable}.
	 */
	record Delivery(long id, String url, String eventType, String deliveryId, byte[] body, String signature,
			int attempts, int maxAttempts, String unreadable) {
	}

	/** Queues one delivery, due at once; it joins the publisher's transaction when there is one. */
	void add(String url, String eventType, String deliveryId, byte[] body, String signature, int maxAttempts) {
		KeyEncryptionKey key = this.keyring.newest();
		byte[] sealed = key.sealBound(body, context(url, eventType, deliveryId));
		this.jdbc.sql("""
				insert into webhook_deliveries (url, event_type, delivery_id, body, body_key_id, signature, max_attempts)
				values (?, ?, ?, ?, ?, ?, ?)
				""").params(url, eventType, deliveryId, sealed, key.id(), signature, maxAttempts).update();
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
				returning id, url, event_type, delivery_id, body, body_key_id, signature, attempts, max_attempts
				""").params(instanceId, seconds(lease), limit)
			.query((rs, row) -> opened(rs.getLong("id"), rs.getString("url"), rs.getString("event_type"),
					rs.getString("delivery_id"), rs.getBytes("body"), rs.getString("body_key_id"), rs.getString("signature"),
					rs.getInt("attempts"), rs.getInt("max_attempts")))
			.list();
	}

	private Delivery opened(long id, String url, String eventType, String deliveryId, byte[] stored, String keyId,
			String signature, int attempts, int maxAttempts) {
		byte[] body = stored;
		String unreadable = null;
		if (keyId != null) {
			Optional<KeyEncryptionKey> key = this.keyring.find(keyId);
			try {
				body = key.orElseThrow(() -> new UnknownKeyException(keyId))
					.openBound(stored, context(url, eventType, deliveryId));
			}
			catch (IOException ex) {
				// its key is not in the keyring (restore it), or the row was altered: nothing is sent
				body = null;
				unreadable = "the stored body cannot be opened: " + ex.getMessage();
			}
		}
		return new Delivery(id, url, eventType, deliveryId, body, signature, attempts, maxAttempts, unreadable);
	}

	/**
	 * Seals the bodies of rows written before bodies were sealed, so that none stays readable in the
	 * catalogue for its retention; answers how many. A row another instance seals at the same time is
	 * sealed once.
	 */
	int sealPlainBodies() {
		KeyEncryptionKey key = this.keyring.newest();
		List<Delivery> plain = this.jdbc.sql("""
				select id, url, event_type, delivery_id, body from webhook_deliveries where body_key_id is null
				""").query((rs, row) -> new Delivery(rs.getLong("id"), rs.getString("url"), rs.getString("event_type"),
					rs.getString("delivery_id"), rs.getBytes("body"), null, 0, 0, null))
			.list();
		int sealed = 0;
		for (Delivery delivery : plain) {
			byte[] body = key.sealBound(delivery.body(), context(delivery.url(), delivery.eventType(), delivery.deliveryId()));
			sealed += this.jdbc.sql("""
					update webhook_deliveries set body = ?, body_key_id = ? where id = ? and body_key_id is null
					""").params(body, key.id(), delivery.id()).update();
		}
		return sealed;
	}

	/** What a sealed body is bound to: sent elsewhere, or as another event or delivery, it does not open. */
	private static String context(String url, String eventType, String deliveryId) {
		return "webhook\n" + url + "\n" + eventType + "\n" + deliveryId;
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
