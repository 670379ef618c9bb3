package io.coffer.system;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * When another instance of the cluster counts as gone. It is named under {@code coffer.housekeeping} (where
 * the README has always listed it) but lives here: every capability whose work an instance can leave
 * unfinished reads it, and housekeeping itself depends on those capabilities.
 * @param instanceTimeout an instance silent this long in the cluster (its Quartz check-in, every 7.5 s) has
 * its running work marked interrupted: backups, restores (their targets and sentinels put back), provisionings
 * (their nodes removed), plan changes, engine upgrades and configuration changes
 */
@Validated
@ConfigurationProperties("coffer.housekeeping")
public record ClusterProperties(@NotNull @DefaultValue("1m") Duration instanceTimeout) {
}
