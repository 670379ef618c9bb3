package io.coffer.restore;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The verification of every retained backup (jobs/verify.yml describes the job).
 * @param maxBytesPerDay stored bytes {@code verifyBackupsJob} reads in a day, a 24th of it in each of its hourly
 * runs, the never verified backups first, then those verified longest ago (each at most once a day), so that a
 * fleet larger than that is verified over several days; 0 means no limit
 */
@Validated
@ConfigurationProperties("coffer.verify")
public record VerifyProperties(@NotNull @DefaultValue("0") DataSize maxBytesPerDay) {
}
