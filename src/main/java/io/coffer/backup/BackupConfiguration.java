package io.coffer.backup;

import io.coffer.archive.Compression;
import io.coffer.redis.NodeSelector;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.ReplicaLagLimit;

import java.util.LinkedHashMap;
import java.util.Map;

import io.coffer.pipeline.DeflateLibraries;
import io.coffer.pipeline.DeflateLibrary;
import io.coffer.system.JobLaunches;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

@Configuration(proxyBeanMethods = false)
class BackupConfiguration {

	/**
	 * The pool backups run on: its size is this instance's limit of concurrent backups (each forks a
	 * Redis and keeps a core busy compressing), its queue the backups waiting for a turn.
	 */
	@Bean
	ThreadPoolTaskExecutor backupExecutor(BackupProperties backup) {
		return JobLaunches.pool(backup.effectiveMaxConcurrent(), 10_000, "backup-");
	}

	/** The archive's compression, from this capability's settings. */
	@Bean
	Compression archiveCompression(BackupProperties backup) {
		return new Compression(backup.compressionLevel(), backup.effectiveCompressionThreads());
	}

	/**
	 * The deflate library every archive is written and read with, chosen (and logged) once at
	 * start-up rather than at the first backup.
	 */
	@Bean
	DeflateLibrary deflateLibrary(BackupProperties backup) {
		return DeflateLibraries.use(backup.compressionLibrary());
	}

	@Bean
	NodeSelector nodeSelector(RedisConnections connections, BackupProperties backup) {
		return new NodeSelector(connections,
				new ReplicaLagLimit(backup.maxReplicaLagBytes(), backup.maxReplicaSilence()));
	}

	@Bean
	ReplicationStreamSnapshot replicationStreamSnapshot(RedisConnections connections, BackupProperties backup) {
		return new ReplicationStreamSnapshot(connections, backup.snapshotTimeout(), true);
	}

	@Bean
	BgsaveSnapshot bgsaveSnapshot(RedisConnections connections, BackupProperties backup) {
		return new BgsaveSnapshot(connections, backup.snapshotTimeout(), pathMapping(backup.pathMapping()));
	}

	/** {@code [host:]node-folder=local-folder,…} as a map; the setting's format is validated at start-up. */
	static Map<String, String> pathMapping(String setting) {
		Map<String, String> mapping = new LinkedHashMap<>();
		for (String entry : setting.split(",")) {
			int equals = entry.indexOf('=');
			if (equals > 0) {
				mapping.put(entry.substring(0, equals).trim(), entry.substring(equals + 1).trim());
			}
		}
		return mapping;
	}

}
