package io.coffer.restore;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Restore drills: the latest backup of each database (or of a sample) is restored into a scratch
 * {@code redis-server} that Coffer starts itself, then checked (jobs/drill.yml describes the job).
 * @param sampleSize databases {@code restoreDrillJob} drills per run, those drilled longest ago first; 0 means
 * every database
 * @param redisServer the binary of the drills' scratch servers, a path or a name looked up on the PATH; it must
 * read the backups' RDB versions
 * @param startTimeout how long a scratch server may take to answer
 */
@Validated
@ConfigurationProperties("coffer.drill")
public record DrillProperties(@Min(0) @DefaultValue("0") int sampleSize,
		@DefaultValue("redis-server") String redisServer, @NotNull @DefaultValue("30s") Duration startTimeout) {

	public DrillProperties {
		redisServer = (redisServer == null || redisServer.isBlank()) ? "redis-server" : redisServer.trim();
	}

}
