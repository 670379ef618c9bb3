package io.coffer.backup;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long an unfinished upload may wait before the recovery of interrupted backups aborts it. Named under
 * {@code coffer.housekeeping}, where the README has always listed it, and read here, by the work it tunes.
 * @param abandonedUploadAge unfinished multipart uploads older than this, with no backup running for them, are
 * aborted
 */
@Validated
@ConfigurationProperties("coffer.housekeeping")
record AbandonedUploadProperties(@NotNull @DefaultValue("6h") Duration abandonedUploadAge) {
}
