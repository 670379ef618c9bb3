package io.coffer.backup;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The catalogue's own snapshots in the bucket (see {@link CatalogueSnapshots}).
 * @param interval at most one snapshot per this long: the changes of a burst are written together, this
 * long after the previous snapshot at the latest (each instance looks this often, and at least every 5 seconds)
 * @param maxAge a snapshot is written at least this often, changes or not
 * @param keep the newest snapshots kept
 * @param keepDays besides, the newest snapshot of each of this many last days (UTC) is kept
 */
@Validated
@ConfigurationProperties("coffer.catalogue-snapshot")
public record CatalogueSnapshotProperties(@NotNull @DefaultValue("30s") Duration interval,
		@NotNull @DefaultValue("1d") Duration maxAge, @Min(1) @DefaultValue("10") int keep,
		@Min(0) @DefaultValue("7") int keepDays) {
}
