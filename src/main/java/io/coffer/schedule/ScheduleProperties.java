package io.coffer.schedule;

import java.time.Duration;
import java.time.LocalTime;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Each database's periodic backup.
 * @param defaultEnabled whether a new database's nightly backup is on
 * @param windowStart start of the nightly window (UTC) over which databases without a chosen hour are spread,
 * each at its own minute derived from its id, so that they never all fork at once
 * @param windowLength length of the nightly window; at most a day
 * @param misfireGrace a backup missed while the service was down (or all instances were busy) runs once when it
 * is back within this delay; later, it is recorded as skipped. A periodic backup that failed (object storage
 * down, its instance killed) is run again while this delay from the time it fell due lasts
 * @param retryBackoff how long after a failed periodic backup it is run again; doubled after each failed attempt
 */
@Validated
@ConfigurationProperties("coffer.schedule")
public record ScheduleProperties(@DefaultValue("true") boolean defaultEnabled,
		@NotNull @DefaultValue("00:00") LocalTime windowStart, @NotNull @DefaultValue("6h") Duration windowLength,
		@NotNull @DefaultValue("1h") Duration misfireGrace, @NotNull @DefaultValue("1m") Duration retryBackoff) {
}
