package io.coffer.node;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the container figures of the databases' primaries are sampled for the Overview's chart.
 * @param sampleInterval how often each running database's primary is read: CPU usage now is the share of a core
 * it used over the last interval
 * @param window how long the samples are kept, in memory, per node
 */
@Validated
@ConfigurationProperties("coffer.stats")
record StatsProperties(@NotNull @DefaultValue("30s") Duration sampleInterval, @NotNull @DefaultValue("1h") Duration window) {
}
