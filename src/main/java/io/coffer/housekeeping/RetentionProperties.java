package io.coffer.housekeeping;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.validation.annotation.Validated;

/**
 * Which backups are kept; the policies themselves are the plans' (see PlanFamily).
 * @param defaultPlanFamily the retention of registered databases, which have no plan: {@code starter} or
 * {@code business}
 * @param keepFailed how long failed backups stay listed, so that their owner can read why they failed
 * @param finalBackup how long the final backup taken by {@code DELETE /databases/{db}} stays, from when it was
 * taken, even once the database is gone
 */
@Validated
@ConfigurationProperties("coffer.retention")
record RetentionProperties(
		@Pattern(regexp = "starter|business", message = "must be 'starter' or 'business'")
		@DefaultValue("starter") String defaultPlanFamily,
		@NotNull @DefaultValue("7d") Duration keepFailed,
		// "final" is the setting's name, and a keyword of Java
		@NotNull @Name("final") @DefaultValue("30d") Duration finalBackup) {
}
