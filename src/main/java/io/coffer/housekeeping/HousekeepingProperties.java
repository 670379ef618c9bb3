package io.coffer.housekeeping;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The housekeeping tasks of schedules/: abandoned uploads, orphan objects. The third setting of this group,
 * {@code instance-timeout}, is the cluster's (system's ClusterProperties).
 * @param abandonedUploadAge unfinished multipart uploads older than this, with no backup running for them, are
 * aborted
 * @param orphanGrace objects without a row (and rows without an object) older than this are cleaned: until
 * then they are only reported
 */
@Validated
@ConfigurationProperties("coffer.housekeeping")
record HousekeepingProperties(@NotNull @DefaultValue("6h") Duration abandonedUploadAge,
		@NotNull @DefaultValue("1d") Duration orphanGrace) {
}
