package io.coffer.notify;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where events are posted, signed with HMAC-SHA256 of the body.
 * @param urls comma-separated URLs told of {@code database_backup_succeeded} / {@code database_backup_failed} /
 * {@code database_backup_drill_failed} / {@code database_plan_changed} / {@code database_env_changed}
 * @param secret signs each body: {@code X-Coffer-Signature: sha256=<HMAC-SHA256>}; unsigned when empty
 * @param maxAttempts deliveries tried per event and receiver, the first included; a failing receiver never
 * fails a backup; deliveries wait in the catalogue, so retries outlive a restart
 * @param initialBackoff wait before the first retry; doubled at each further one
 * @param timeout how long a receiver may take to answer
 * @param pollInterval how often an instance looks for deliveries due (retries, and events another instance
 * published)
 * @param finishedRetention how long delivered and given-up deliveries stay in {@code webhook_deliveries}
 */
@Validated
@ConfigurationProperties("coffer.webhooks")
record WebhookProperties(List<String> urls, String secret, @Min(1) @DefaultValue("5") int maxAttempts,
		@NotNull @DefaultValue("1s") Duration initialBackoff, @NotNull @DefaultValue("10s") Duration timeout,
		@NotNull @DefaultValue("1s") Duration pollInterval, @NotNull @DefaultValue("7d") Duration finishedRetention) {

	WebhookProperties {
		urls = (urls != null) ? urls.stream().map(String::trim).filter((url) -> !url.isEmpty()).toList() : List.of();
		secret = (secret != null) ? secret : "";
	}

}
