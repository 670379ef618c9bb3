package io.coffer.housekeeping;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The orphan sweep of schedules/. The other settings of this group are read where their work is:
 * {@code instance-timeout} by the cluster (system's ClusterProperties), {@code abandoned-upload-age} by the
 * recovery of interrupted backups (backup's AbandonedUploadProperties).
 * @param orphanGrace objects without a row (and rows without an object) older than this are cleaned: until
 * then they are only reported
 */
@Validated
@ConfigurationProperties("coffer.housekeeping")
record HousekeepingProperties(@NotNull @DefaultValue("1d") Duration orphanGrace) {
}
