package io.coffer.backup;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How backups are taken (jobs/backup.yml describes the job they tune).
 * @param acquisitionMode {@code stream} (replication protocol) or {@code file} (BGSAVE, then read the dump),
 * when a database does not say
 * @param maxReplicaLagBytes a replica further behind its primary (bytes of replication offset) is not used
 * @param maxReplicaSilence nor one silent for longer
 * @param snapshotTimeout how long a node may stay silent during its snapshot
 * @param compressionLevel gzip level, 1–9 (ISA-L: 1 → its 1, 2–4 → 2, 5–9 → 3); 1 by the codec benchmark,
 * ratio and speed of each in docs/BENCHMARKS.md
 * @param compressionThreads threads compressing one archive; 0 means one per core
 * @param compressionLibrary deflate library: {@code auto} (ISA-L, else libdeflate, else java.util.zip),
 * {@code isal}, {@code libdeflate} or {@code zlib}; a missing one falls back, logged once as {@code gzip: …}
 * @param maxConcurrent backups running at once on one instance; 0 means half the cores, at least one
 * @param pathMapping mode {@code file}: where Coffer sees each node's data folder,
 * {@code [node-host:]node-folder=local-folder,…}, e.g. {@code redis-1:/data=/mnt/redis-1}
 * @param finalTimeout how long a deletion waits for its final backup before answering 503 and deleting
 * nothing
 */
@Validated
@ConfigurationProperties("coffer.backup")
public record BackupProperties(
		@Pattern(regexp = "stream|file", message = "must be 'stream' or 'file'")
		@DefaultValue("stream") String acquisitionMode,
		@Min(0) @DefaultValue("16777216") long maxReplicaLagBytes,
		@NotNull @DefaultValue("10s") Duration maxReplicaSilence,
		@NotNull @DefaultValue("10m") Duration snapshotTimeout,
		@Min(1) @Max(9) @DefaultValue("1") int compressionLevel,
		@Min(0) @DefaultValue("0") int compressionThreads,
		@Pattern(regexp = "auto|isal|libdeflate|zlib", message = "must be auto, isal, libdeflate or zlib")
		@DefaultValue("auto") String compressionLibrary,
		@Min(0) @DefaultValue("0") int maxConcurrent,
		@Pattern(regexp = "|([^=,]+=[^=,]+)(,[^=,]+=[^=,]+)*", message = "must be comma-separated [node-host:]node-folder=local-folder entries, like redis-1:/data=/mnt/redis-1")
		String pathMapping,
		@NotNull @DefaultValue("15m") Duration finalTimeout) {

	public BackupProperties {
		pathMapping = (pathMapping != null) ? pathMapping.trim() : "";
	}

	public int effectiveCompressionThreads() {
		return (this.compressionThreads > 0) ? this.compressionThreads : Runtime.getRuntime().availableProcessors();
	}

	public int effectiveMaxConcurrent() {
		return (this.maxConcurrent > 0) ? this.maxConcurrent
				: Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
	}

}
