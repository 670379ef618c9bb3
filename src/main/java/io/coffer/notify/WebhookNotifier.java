package io.coffer.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.coffer.backup.BackupFinished;
import io.coffer.planchange.PlanChanged;
import io.coffer.redisconfig.DatabaseEnvChanged;
import io.coffer.restore.BackupDrillFailed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Posts {@code database_backup_succeeded} / {@code database_backup_failed} (and a restore drill's
 * {@code database_backup_drill_failed}, {@code database_plan_changed} and {@code database_env_changed},
 * the last two with the app's new REDIS_URL, password included) to every configured URL,
 * with the body's HMAC-SHA256 in {@code X-Coffer-Signature: sha256=<hex>}. Each delivery is written
 * to the {@link WebhookOutbox} and sent by the {@link WebhookDispatcher}, retried with exponential
 * backoff across restarts: the backup's thread never waits for a receiver, and a failing receiver
 * never fails a backup.
 */
@Component
class WebhookNotifier {

	static final String SIGNATURE = "X-Coffer-Signature";

	static final String EVENT = "X-Coffer-Event";

	static final String DELIVERY = "X-Coffer-Delivery";

	private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);

	private final WebhookProperties settings;

	private final JsonMapper json;

	private final WebhookOutbox outbox;

	private final WebhookDispatcher dispatcher;

	WebhookNotifier(WebhookProperties settings, JsonMapper json, WebhookOutbox outbox, WebhookDispatcher dispatcher) {
		this.settings = settings;
		this.json = json;
		this.outbox = outbox;
		this.dispatcher = dispatcher;
	}

	@EventListener
	void backupFinished(BackupFinished event) {
		if (this.settings.urls().isEmpty()) {
			return;
		}
		String type = event.succeeded() ? "database_backup_succeeded" : "database_backup_failed";
		post(type, body(type, event), event.backupId());
	}

	/** A restore drill found that a backup does not restore: announced like a failed backup. */
	@EventListener
	void backupDrillFailed(BackupDrillFailed event) {
		if (this.settings.urls().isEmpty()) {
			return;
		}
		String type = "database_backup_drill_failed";
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("event", type);
		fields.put("database_id", event.databaseId());
		fields.put("backup_id", event.backupId());
		fields.put("name", event.name());
		fields.put("method", event.method());
		fields.put("error", event.problem());
		fields.put("created_at", String.valueOf(event.createdAt()));
		fields.put("checked_at", String.valueOf(event.checkedAt()));
		post(type, this.json.writeValueAsString(fields).getBytes(StandardCharsets.UTF_8), event.backupId());
	}

	/**
	 * A database moved to another plan: the platform restarts its app, which takes the connection
	 * variables carried here (REDIS_URL moves between HAProxy and the node when the family changes).
	 */
	@EventListener
	void planChanged(PlanChanged event) {
		Map<String, Object> plans = new LinkedHashMap<>();
		plans.put("from_plan", event.fromPlan());
		plans.put("to_plan", event.toPlan());
		postEnvironment("database_plan_changed", event.databaseId(), event.app(), plans, event.env(),
				event.changedAt());
	}

	/** A change gave a database's app a new environment (its REDIS_URL), which the platform must apply. */
	@EventListener
	void databaseEnvChanged(DatabaseEnvChanged event) {
		postEnvironment("database_env_changed", event.databaseId(), event.app(), Map.of(), event.env(),
				event.changedAt());
	}

	private void postEnvironment(String type, String databaseId, String app, Map<String, Object> details,
			Map<String, String> env, Instant changedAt) {
		if (this.settings.urls().isEmpty()) {
			return;
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("event", type);
		fields.put("database_id", databaseId);
		fields.put("app", app);
		fields.putAll(details);
		fields.put("env", env);
		fields.put("changed_at", String.valueOf(changedAt));
		post(type, this.json.writeValueAsString(fields).getBytes(StandardCharsets.UTF_8), databaseId);
	}

	/**
	 * Queues the event for every receiver, in the publisher's transaction when there is one: the
	 * {@link WebhookDispatcher} sends it, woken once the rows are there for every instance to see.
	 */
	private void post(String type, byte[] body, String subject) {
		String delivery = UUID.randomUUID().toString();
		String signature = this.settings.secret().isEmpty() ? null
				: "sha256=" + sign(this.settings.secret(), body);
		try {
			for (String url : this.settings.urls()) {
				this.outbox.add(url, type, delivery, body, signature, this.settings.maxAttempts());
			}
		}
		catch (DataAccessException ex) {
			// what published the event goes on: a webhook never fails it
			log.warn("Webhook {} for {} dropped: the outbox could not be written: {}", type, subject, ex.getMessage());
			return;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					WebhookNotifier.this.dispatcher.wake();
				}

			});
		}
		else {
			this.dispatcher.wake();
		}
	}

	private byte[] body(String type, BackupFinished event) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("event", type);
		body.put("database_id", event.databaseId());
		body.put("backup_id", event.backupId());
		body.put("name", event.name());
		body.put("method", event.method());
		body.put("size", event.size());
		body.put("error", event.error());
		body.put("created_at", String.valueOf(event.createdAt()));
		body.put("finished_at", (event.finishedAt() != null) ? event.finishedAt().toString() : Instant.now().toString());
		return this.json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
	}

	static String sign(String secret, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
